using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PanicDevice.Receiver.Dispatch;

/// <summary>
/// A webhook target: where events go, the secret their signature uses, and the name routing rules use
/// (<c>webhook:NAME</c>; by default its position, <c>webhook:0</c>).
/// </summary>
internal sealed record WebhookTarget(string Url, string Secret, string? Name = null);

/// <summary>
/// POSTs one event as JSON with X-PanicDevice-Event (the queue id, for de-duplication) and
/// X-PanicDevice-Signature: sha256=HMAC(secret, body). Any 2xx is delivered; anything else, or no answer, fails.
/// </summary>
internal sealed class WebhookChannel(WebhookTarget target, int index, HttpClient http) : IDispatchChannel
{
    public string Key => target.Url;

    public string RouteName => RouteNames.Webhook(target, index);

    public string Label => RouteName + " (" + QueueDispatcher.HostOf(target.Url) + ")";

    public int RecordEvery => QueueDispatcher.RecordEveryDefault;

    public string TimelineEvent => "sent-webhook";

    public static string Body(QueuedEvent e) => JsonSerializer.Serialize(new
    {
        eventId = e.Id,
        type = e.Type,
        device = e.DeviceId,
        counter = e.Counter,
        kind = (int)e.Kind,
        code = (int)e.Code,
        lat = e.PositionKnown ? e.LatE7 / 1e7 : (double?)null,
        lon = e.PositionKnown ? e.LonE7 / 1e7 : (double?)null,
        accuracyM = e.PositionKnown ? e.AccuracyM : (int?)null,
        path = e.Path,
        receivedUtc = e.ReceivedUtc,
    });

    public bool Takes(string deviceId) => true;

    public async Task<DispatchAttempt> SendAsync(QueuedEvent e, CancellationToken cancel)
    {
        string body = Body(e);
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-PanicDevice-Event", e.Id.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("X-PanicDevice-Signature", "sha256=" + Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(target.Secret), Encoding.UTF8.GetBytes(body))).ToLowerInvariant());
        try
        {
            using var response = await http.SendAsync(request, cancel);
            return response.IsSuccessStatusCode
                ? new DispatchAttempt(DispatchResult.Delivered, "HTTP " + (int)response.StatusCode)
                : new DispatchAttempt(DispatchResult.Failed, "HTTP " + (int)response.StatusCode);
        }
        catch (Exception x) when (x is HttpRequestException or TaskCanceledException)
        {
            return new DispatchAttempt(DispatchResult.Failed, x.GetType().Name + ": " + x.Message);
        }
    }

    public Task<LinkTest> SuperviseAsync(CancellationToken cancel) => Task.FromResult(LinkTest.NotDue);
}
