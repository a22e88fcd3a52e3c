using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace PanicDevice.Cli;

/// <summary>The receiver's operator API as the CLI uses it; failures become one-line messages with the fix.</summary>
public sealed class ReceiverApi
{
    private readonly HttpClient http;

    public ReceiverApi(string receiverUrl, string token, HttpClient? http = null)
    {
        this.http = http ?? new HttpClient();
        this.http.BaseAddress = new Uri(receiverUrl.TrimEnd('/') + "/");
        this.http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", CleanToken(token, "operator token"));
        BaseUrl = receiverUrl;
    }

    /// <summary>
    /// A token copied with its file's line break still works; one with a line break or control character inside is refused
    /// in one line (HttpClient would throw from deep inside the request). The message never repeats the token.
    /// </summary>
    public static string CleanToken(string token, string what)
    {
        string t = token.Trim();
        if (t.Length == 0 || t.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw new CliException("the " + what + " is empty or has a space, line break or control character inside: pass the token exactly as its file holds it");
        }
        return t;
    }

    public string BaseUrl { get; }

    public async Task<JsonElement> GetAsync(string path, CancellationToken ct = default) => await SendAsync(HttpMethod.Get, path, null, ct);

    public async Task<JsonElement> PostAsync(string path, object? body, CancellationToken ct = default) => await SendAsync(HttpMethod.Post, path, body, ct);

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body != null) request.Content = JsonContent.Create(body);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new ReceiverUnreachableException("cannot reach the receiver at " + BaseUrl + " (" + e.Message + "); is it running? (--receiver URL)");
        }
        string text = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
            throw new CliException("the receiver refused the operator token; pass the one in its data folder's operator-token file (--token or PANICCTL_TOKEN)");
        if (!response.IsSuccessStatusCode)
            throw new CliException("the receiver answered " + (int)response.StatusCode + ": " + text);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}

/// <summary>An error the user can fix; printed as one line, never as a stack trace.</summary>
public class CliException(string message) : Exception(message);

/// <summary>No answer from the receiver at all (down, restarting, wrong URL): a follower may wait for it to come back.</summary>
public sealed class ReceiverUnreachableException(string message) : CliException(message);
