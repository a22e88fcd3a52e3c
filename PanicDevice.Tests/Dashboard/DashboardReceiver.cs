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
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Dashboard;

/// <summary>A real receiver on loopback (random ports, temp data folder) for the dashboard tests.</summary>
public sealed class DashboardReceiver : IAsyncDisposable
{
    public const string OperatorToken = "operator-token-for-dashboard-01";
    public static readonly byte[] Key = SampleFrames.Key(0x30);
    private readonly string dir = Path.Combine(Path.GetTempPath(), "pd-dash-" + Guid.NewGuid().ToString("N"));

    public WebApplication App { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string Url { get; private set; } = "";

    public static async Task<DashboardReceiver> StartAsync(params string[] extra)
    {
        var r = new DashboardReceiver();
        r.App = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", EmbeddedBrokerTests.FreePort().ToString(), "--data", r.dir,
            "--operator-token", OperatorToken }.Concat(extra).ToArray());
        await r.App.StartAsync();
        r.Url = r.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        r.Http = new HttpClient { BaseAddress = new Uri(r.Url) };
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
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }
}
