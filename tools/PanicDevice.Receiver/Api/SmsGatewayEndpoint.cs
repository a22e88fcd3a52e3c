using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Logging;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Receiver.Pipeline;

namespace PanicDevice.Receiver.Api;

/// <summary>An inbound SMS as the command centre's gateway posts it.</summary>
internal sealed record InboundSms(string From, string Text);

/// <summary>
/// POST /api/sms/inbound: the SMS gateway forwards every message it receives. Data SMS ("PD1:…") go
/// through the same pipeline as MQTT; the acknowledgement is also published to the device's ack topic
/// so it reaches the device as soon as its data path returns.
/// </summary>
internal static class SmsGatewayEndpoint
{
    /// <summary>Largest request body accepted (Kestrel refuses more with 413): a concatenated SMS is 1,600 characters.</summary>
    public const long MaxBodyBytes = 16 * 1024;

    /// <param name="log">Refusals, throttled per sender (or device) and reason; the sender is the gateway's text and is escaped.</param>
    public static async Task<IResult> Handle(InboundSms sms, IngestPipeline pipeline, IDeviceDownlink? broker, RejectionLog log)
    {
        if (sms.Text is null || sms.Text.Length > 1600)
        {
            return Results.BadRequest(new { error = "text is missing or longer than a concatenated SMS" });
        }
        string from = LogText.Escape(sms.From);
        if (!FrameText.HasPrefix(sms.Text))
        {
            // A human message (a reply from a guardian, say) is not a frame; say so, drop nothing silently.
            log.Info("NotAFrame", from, "Inbound SMS from {From} is not a device frame", from);
            return Results.Accepted(value: new { status = "not-a-frame" });
        }
        byte[]? bytes = FrameText.ToBytes(sms.Text);
        if (bytes == null)
        {
            string reason = DecodeStatus.BadText.ToString();
            pipeline.Refuse(reason);
            log.Warn(reason, from, "SMS from {From} rejected: {Reason} (not the base64 of a frame)", from, reason);
            return Results.UnprocessableEntity(new { status = "rejected", reason });
        }
        IngestResult result = pipeline.Process(bytes, null, IngestPath.Sms);
        if (result.Status == IngestStatus.Rejected && result.Reason == IngestPipeline.RateLimited)
        {
            log.Warn(result.Reason, result.Frame!.DeviceId, "Device {DeviceId} (SMS) is over its rate limit; routine frames refused", result.Frame!.DeviceId);
            return Results.Json(new { status = "rejected", reason = result.Reason }, statusCode: 429);
        }
        if (result.Status == IngestStatus.Rejected)
        {
            log.Warn(result.Reason, from, "SMS frame from {From} rejected: {Reason}", from, result.Reason);
            return Results.UnprocessableEntity(new { status = "rejected", reason = result.Reason });
        }
        if (result.Status == IngestStatus.CounterRefused)
        {
            // SMS has no way back to the device: the Resync goes to its ack topic for when its data path returns, and the
            // operators have the frame's content as a counter event. 409: the gateway must not post it again.
            log.Warn(result.Reason, result.Frame!.DeviceId, "SMS frame {Counter} of {DeviceId} refused: {Reason}; recorded as a counter event",
                result.Frame.Counter, result.Frame.DeviceId, result.Reason);
            if (broker != null && result.Resync != null)
            {
                await broker.PublishToDeviceAsync(result.Frame.DeviceId, result.Resync);
            }
            return Results.Json(new { status = "counter-refused", reason = result.Reason, device = result.Frame.DeviceId, counter = result.Frame.Counter }, statusCode: 409);
        }
        if (broker != null)
        {
            await broker.PublishToDeviceAsync(result.Frame!.DeviceId, result.Ack!);
        }
        return Results.Ok(new { status = result.Status == IngestStatus.Stored ? "stored" : "duplicate", device = result.Frame!.DeviceId, counter = result.Frame.Counter });
    }
}
