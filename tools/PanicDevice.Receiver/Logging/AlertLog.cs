using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Logging;

/// <summary>
/// One Information line per stored alert and cancel (alert id, device, kind, path), so the receiver's log says what
/// reached it without a request log; follow-ups and heartbeats only at Debug. Runs after the commit, on the pipeline's
/// hook: a failure here never touches the stored frame or its ack.
/// </summary>
internal static class AlertLog
{
    public static Action<Frame, string> For(ReceiverDatabase db, ILogger logger) => (frame, path) =>
    {
        try
        {
            if (frame.Kind is MessageKind.Alert or MessageKind.Cancel)
            {
                logger.LogInformation("{Kind} {Code} from {DeviceId} (counter {Counter}) via {Path}: alert {AlertId}",
                    frame.Kind == MessageKind.Alert ? "Alert" : "Cancel", AlertBook.KindName(frame.Code), frame.DeviceId, frame.Counter, path, AlertId(db, frame));
            }
            else
            {
                logger.LogDebug("{Kind} from {DeviceId} (counter {Counter}) via {Path}", frame.Kind, frame.DeviceId, frame.Counter, path);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning("Stored frame {Counter} of {DeviceId} not logged: {Message}", frame.Counter, frame.DeviceId, e.Message);
        }
    };

    // An alert frame made its own row; a cancel changed the device's latest alert.
    private static string AlertId(ReceiverDatabase db, Frame frame)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = frame.Kind == MessageKind.Alert
            ? "SELECT id FROM alerts WHERE device_id = @d AND counter = @c ORDER BY id DESC LIMIT 1"
            : "SELECT id FROM alerts WHERE device_id = @d ORDER BY updated_utc DESC, id DESC LIMIT 1";
        cmd.With("@d", frame.DeviceId);
        cmd.With("@c", (long)frame.Counter);
        return cmd.ExecuteScalar() is long id ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
    }
}
