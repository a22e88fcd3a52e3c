using PanicDevice.Bench.Engines;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using PanicDevice.Receiver;

namespace PanicDevice.Bench;

/// <summary>
/// The <c>attack</c> command: the receiver as a child process (as it runs in production) under what an
/// anonymous client can do — MQTT CONNECTs declaring hundreds of megabytes, sent together and slowly, and
/// 25 MB HTTP posts without a token — while a device sends an alert a second. Prints the receiver's
/// resident set (VmRSS) before, at its peak and after, how each attacker was answered, and the device's
/// slowest ack. The short form, with the managed heap measured in-process, is AttackMemoryTests.
/// </summary>
public static class AttackBenchmark
{
    public static async Task<int> RunAsync(int mqttAttackers, int declaredMb, int posts, int postMb, int seconds)
    {
        string dll = typeof(ReceiverApp).Assembly.Location;
        string data = Path.Combine(Path.GetTempPath(), "pd-attack-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        int httpPort = LoopbackPorts.Free(), mqttPort = LoopbackPorts.Free();
        string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var receiver = new CrashHarness.ReceiverProcess(new List<string>
        {
            dll, "--urls", "http://127.0.0.1:" + httpPort, "--mqtt-port", mqttPort.ToString(CultureInfo.InvariantCulture), "--data", data,
            "--operator-token", token, "--Logging:LogLevel:Default", "Warning",
        });
        using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:" + httpPort), Timeout = TimeSpan.FromMinutes(2) };
        Console.WriteLine($"attack: {mqttAttackers} MQTT CONNECTs declaring {declaredMb} MB each, {posts} unauthenticated posts of {postMb} MB, {seconds} s; receiver {Path.GetFileName(dll)} as a child process; {Environment.ProcessorCount} cores");
        try
        {
            receiver.Start();
            await receiver.WaitHealthyAsync(http, TimeSpan.FromSeconds(60));
            int pid = receiver.Id!.Value;
            string id = BenchDevice.IdFor(0);
            byte[] key = BenchDevice.KeyFor(id);
            var provision = new HttpRequestMessage(HttpMethod.Post, "/api/devices") { Content = JsonContent.Create(new { id, key = Convert.ToHexString(key), kind = "fob" }) };
            provision.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            (await http.SendAsync(provision)).EnsureSuccessStatusCode();
            await using var device = new BenchDevice(id, key);
            await device.ConnectAsync(mqttPort, CancellationToken.None);
            for (int i = 0; i < 5; i++)
            {
                await device.AlertAsync(TimeSpan.FromSeconds(10)); // warm
            }
            await Task.Delay(1000);
            long before = RssBytes(pid);
            long peak = before;
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            var sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    peak = Math.Max(peak, RssBytes(pid));
                    await Task.Delay(100);
                }
            });
            Task<long>[] mqtt = Enumerable.Range(0, mqttAttackers).Select(i => OversizedConnect(mqttPort, declaredMb * 1_000_000, fast: i % 2 == 0, stop.Token)).ToArray();
            Task<string>[] bodies = Enumerable.Range(0, posts).Select(_ => Post(http, (long)postMb * 1024 * 1024)).ToArray();
            var worstAck = TimeSpan.Zero;
            int unacked = 0;
            while (!stop.IsCancellationRequested)
            {
                var sent = Stopwatch.StartNew();
                if (!await device.AlertAsync(TimeSpan.FromSeconds(10))) unacked++;
                worstAck = sent.Elapsed > worstAck ? sent.Elapsed : worstAck;
                await Task.Delay(1000);
            }
            long[] accepted = await Task.WhenAll(mqtt);
            // Refused early: closed with most of the body unsent (what a client gets in first is kernel socket buffers, a few MB on loopback).
            int early = accepted.Count(a => a >= 0 && a < declaredMb * 1_000_000L / 4);
            string[] answers = await Task.WhenAll(bodies);
            await sampler;
            await Task.Delay(2000);
            long after = RssBytes(pid);
            var byAnswer = answers.GroupBy(a => a).Select(g => g.Key + "=" + g.Count());
            Console.WriteLine(FormattableString.Invariant(
                $"rss_before_mb={before / 1048576.0:F0} rss_peak_mb={peak / 1048576.0:F0} rss_after_mb={after / 1048576.0:F0} mqtt_refused_early={early}/{mqttAttackers} mqtt_body_bytes_taken=[{string.Join(",", accepted)}] http=[{string.Join(",", byAnswer)}] alert_ack_max_ms={worstAck.TotalMilliseconds:F0} unacked={unacked}"));
            return early == mqttAttackers && answers.All(a => a is "401" or "closed") && unacked == 0 ? 0 : 1;
        }
        finally
        {
            receiver.Kill();
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    /// <summary>The process's resident set from /proc (Linux); 0 elsewhere.</summary>
    private static long RssBytes(int pid)
    {
        try
        {
            string? line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line == null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>
    /// A CONNECT header declaring that many bytes, then the body: as fast as the receiver takes it
    /// (<paramref name="fast"/>) or a byte every 100 ms, until stopped. Returns the body bytes written before
    /// the receiver closed the connection, or -1 when it never did.
    /// </summary>
    private static async Task<long> OversizedConnect(int port, int declared, bool fast, CancellationToken stop)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        NetworkStream s = tcp.GetStream();
        var header = new List<byte> { 0x10 };
        int left = declared;
        do
        {
            byte b = (byte)(left % 128);
            left /= 128;
            header.Add(left > 0 ? (byte)(b | 0x80) : b);
        }
        while (left > 0);
        await s.WriteAsync(header.ToArray());
        Task<int> read = s.ReadAsync(new byte[16]).AsTask();
        byte[] chunk = new byte[fast ? 64 * 1024 : 1];
        long sent = 0;
        try
        {
            while (!stop.IsCancellationRequested && !read.IsCompleted && sent < declared)
            {
                int n = (int)Math.Min(chunk.Length, declared - sent);
                await s.WriteAsync(chunk.AsMemory(0, n), stop);
                sent += n;
                if (!fast)
                {
                    await Task.WhenAny(read, Task.Delay(100));
                }
            }
            await Task.WhenAny(read, Task.Delay(Timeout.Infinite, stop)); // all of it sent: does the receiver close now?
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            await Task.WhenAny(read, Task.Delay(5000)); // the receiver closed it under a write
        }
        bool closed = read.IsCompleted && (read.IsFaulted || read.Result == 0);
        tcp.Close();
        try { await read; } catch (Exception e) when (e is IOException or ObjectDisposedException) { }
        return closed ? sent : -1;
    }

    /// <summary>A JSON body of that size to an operator route, without a token: "401", "closed", or another status.</summary>
    private static async Task<string> Post(HttpClient http, long bytes)
    {
        byte[] chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'a');
        var content = new PushContent(bytes, chunk);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        try
        {
            using var r = await http.PostAsync("/api/devices", content);
            return ((int)r.StatusCode).ToString(CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException)
        {
            return "closed";
        }
    }

    private sealed class PushContent(long length, byte[] chunk) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync("{\"id\":\""u8.ToArray());
            for (long left = length - 9; left > 0; left -= chunk.Length)
            {
                await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(left, chunk.Length)));
            }
            await stream.WriteAsync("\"}"u8.ToArray());
        }

        protected override bool TryComputeLength(out long computed)
        {
            computed = length;
            return true;
        }
    }
}
