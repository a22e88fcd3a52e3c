using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Receiver.Pipeline;

namespace PanicDevice.Receiver.Api;

/// <summary>An inbound SMS as the command centre's gateway posts it.</summary>
public sealed record InboundSms(string From, string Text);

/// <summary>
/// POST /api/sms/inbound: the SMS gateway forwards every message it receives. Data SMS ("PD1:…") go
/// through the same pipeline as MQTT; the acknowledgement is also published to the device's ack topic
/// so it reaches the device as soon as its data path returns.
/// </summary>
public static class SmsGatewayEndpoint
{
    /// <summary>Largest request body accepted (Kestrel refuses more with 413): a concatenated SMS is 1,600 characters.</summary>
    public const long MaxBodyBytes = 16 * 1024;

    public static async Task<IResult> Handle(InboundSms sms, IngestPipeline pipeline, IDeviceDownlink? broker, ILogger logger)
    {
        if (sms.Text is null || sms.Text.Length > 1600)
        {
            return Results.BadRequest(new { error = "text is missing or longer than a concatenated SMS" });
        }
        if (!FrameText.HasPrefix(sms.Text))
        {
            // A human message (a reply from a guardian, say) is not a frame; say so, drop nothing silently.
            logger.LogInformation("Inbound SMS from {From} is not a device frame", sms.From);
            return Results.Accepted(value: new { status = "not-a-frame" });
        }
        byte[]? bytes = FrameText.ToBytes(sms.Text);
        if (bytes == null)
        {
            return Results.UnprocessableEntity(new { status = "rejected", reason = DecodeStatus.BadText.ToString() });
        }
        IngestResult result = pipeline.Process(bytes, null, IngestPath.Sms);
        if (result.Status == IngestStatus.Rejected && result.Reason == IngestPipeline.RateLimited)
        {
            if (pipeline.RateLimiter.ShouldReport(result.Frame!.DeviceId, out long limited))
            {
                logger.LogWarning("Device {DeviceId} (SMS) is over its rate limit; {Count} routine frame(s) refused since the last report", result.Frame!.DeviceId, limited);
            }
            return Results.Json(new { status = "rejected", reason = result.Reason }, statusCode: 429);
        }
        if (result.Status == IngestStatus.Rejected)
        {
            logger.LogWarning("SMS frame from {From} rejected: {Reason}", sms.From, result.Reason);
            return Results.UnprocessableEntity(new { status = "rejected", reason = result.Reason });
        }
        if (broker != null)
        {
            await broker.PublishToDeviceAsync(result.Frame!.DeviceId, result.Ack!);
        }
        return Results.Ok(new { status = result.Status == IngestStatus.Stored ? "stored" : "duplicate", device = result.Frame!.DeviceId, counter = result.Frame.Counter });
    }
}
