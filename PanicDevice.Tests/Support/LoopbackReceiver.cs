using PanicDevice.Bench.Engines;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Tests.Receiver;

namespace PanicDevice.Tests.Support;

/// <summary>A real receiver on loopback (random ports, temp data folder, known operator token) for HTTP, dashboard and API tests.</summary>
internal sealed class LoopbackReceiver : IAsyncDisposable
{
    public const string OperatorToken = "operator-token-for-loopback-01";
    public static readonly byte[] Key = SampleFrames.RandomKey(0x30);
    private readonly string dir = Path.Combine(Path.GetTempPath(), "pd-dash-" + Guid.NewGuid().ToString("N"));

    public WebApplication App { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    /// <summary>A client that sends the operator token with every request.</summary>
    public HttpClient Api { get; private set; } = null!;
    public string Url { get; private set; } = "";

    public static Task<LoopbackReceiver> StartAsync(params string[] extra) => StartAsync(null, extra);

    /// <summary>Starts a receiver; a time provider replaces its clock (supervision, store timestamps).</summary>
    public static Task<LoopbackReceiver> StartAsync(TimeProvider? time, params string[] extra) => StartAsync(time, null, extra);

    /// <summary>Starts a receiver after <paramref name="addRoutes"/> has mapped routes of its own (what the receiver's policies do to them).</summary>
    public static async Task<LoopbackReceiver> StartAsync(TimeProvider? time, Action<WebApplication>? addRoutes, params string[] extra)
    {
        var r = new LoopbackReceiver();
        r.App = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", LoopbackPorts.Free().ToString(), "--data", r.dir,
            "--operator-token", OperatorToken, "--Logging:LogLevel:Default", "Warning",
            // Most tests count one alert per press; a test about incidents passes its own --incident-window (the last one wins).
            "--incident-window", "0" }.Concat(extra).ToArray(), time);
        addRoutes?.Invoke(r.App);
        await r.App.StartAsync();
        r.Url = r.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        r.Http = new HttpClient { BaseAddress = new Uri(r.Url) };
        r.Api = new HttpClient { BaseAddress = new Uri(r.Url) };
        r.Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
        return r;
    }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public HttpRequestMessage Request(HttpMethod method, string path, string? token = OperatorToken, object? body = null)
    {
        var m = new HttpRequestMessage(method, path);
        if (token != null) m.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body != null) m.Content = JsonContent.Create(body);
        return m;
    }

    public async Task ProvisionAsync(string id)
    {
        var r = await Http.SendAsync(Request(HttpMethod.Post, "/api/devices", body: new { id, key = Convert.ToHexString(Key), kind = "fob", ownerName = "Siti", ownerPhone = "+6281234567890" }));
        Assert.AreEqual(System.Net.HttpStatusCode.Created, r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    /// <summary>A signed frame through the same pipeline the broker and the SMS gateway use.</summary>
    public IngestResult Send(Frame f)
    {
        IngestResult r = Service<IngestPipeline>().Process(FrameCodec.Encode(f, Key), f.DeviceId, IngestPath.Mqtt);
        Assert.AreEqual(IngestStatus.Stored, r.Status, r.Reason);
        return r;
    }

    public static Frame AlertWithoutPosition(string id, uint counter)
    {
        Frame f = SampleFrames.Alert(id, counter);
        f.Source = LocationSource.None;
        f.LatitudeE7 = 0;
        f.LongitudeE7 = 0;
        f.AccuracyM = Frame.Unknown16;
        return f;
    }

    public static Frame DuressCancel(string id, uint counter)
    {
        Frame f = Frame.Create(MessageKind.Cancel, id, counter, (byte)AlertCode.DuressCancel);
        f.TimeUtcSeconds = 1795000100;
        return f;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Api.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }
}
