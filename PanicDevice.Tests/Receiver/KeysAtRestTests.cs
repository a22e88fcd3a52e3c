using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// Issue 14, item 5: the data folder and its files are owner-only, device keys are encrypted at rest with a key kept in a
/// file of its own, and a store without its key file (or with another) refuses to start instead of losing devices.
/// </summary>
[TestClass]
public class KeysAtRestTests
{
    private const string Token = "operator-token-for-keys-at-rest";

    private static readonly byte[] Key = SampleFrames.RandomKey(0x5A);

    private static async Task<WebApplication> Start(string data, params string[] extra)
    {
        var app = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", "0", "--data", data, "--operator-token", Token, "--Logging:LogLevel:Default", "Warning" }
            .Concat(extra).ToArray());
        await app.StartAsync();
        return app;
    }

    private static async Task Stop(WebApplication app)
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    private static async Task Provision(WebApplication app, string id)
    {
        string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var r = await http.PostAsJsonAsync("/api/devices", new { id, key = Convert.ToHexString(Key), kind = "fob", ownerName = "Siti", ownerPhone = "+6281234567890" });
        Assert.AreEqual(System.Net.HttpStatusCode.Created, r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    private static IngestStatus Send(WebApplication app, string id, uint counter) =>
        app.Services.GetRequiredService<IngestPipeline>().Process(FrameCodec.Encode(SampleFrames.Alert(id, counter), Key), id, IngestPath.Mqtt).Status;

    /// <summary>Whether the key's bytes are anywhere in the files of the folder (the database, its WAL, anything).</summary>
    private static string? FileHolding(string folder, byte[] key)
    {
        foreach (string path in Directory.EnumerateFiles(folder))
        {
            byte[] bytes = File.ReadAllBytes(path);
            if (bytes.AsSpan().IndexOf(key) >= 0 || File.ReadAllText(path).Contains(Convert.ToHexString(key), StringComparison.OrdinalIgnoreCase))
            {
                return path;
            }
        }
        return null;
    }

    private static string NewFolder() => Path.Combine(Path.GetTempPath(), "pd-keys-" + Guid.NewGuid().ToString("N"));

    [TestMethod]
    public async Task TheDataFolderIsOwnerOnlyAndHoldsNoDeviceKeyInTheClear()
    {
        if (OperatingSystem.IsWindows()) Assert.Inconclusive("Unix file modes");
        string data = NewFolder();
        try
        {
            var app = await Start(data);
            await Provision(app, "fob-0001");
            Assert.AreEqual(IngestStatus.Stored, Send(app, "fob-0001", 1));
            Assert.IsNull(FileHolding(data, Key), "a device key in the clear while the receiver runs");
            await Stop(app);

            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data), "data folder");
            foreach (string path in Directory.EnumerateFiles(data))
            {
                Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path), path);
            }
            Assert.IsTrue(File.Exists(Path.Combine(data, "device-keys.key")));
            Assert.IsNull(FileHolding(data, Key), "a device key in the clear after the receiver stopped");

            // The same folder and key file: the device still verifies.
            app = await Start(data);
            Assert.AreEqual(IngestStatus.Stored, Send(app, "fob-0001", 2));
            await Stop(app);
        }
        finally
        {
            Directory.Delete(data, true);
        }
    }

    [TestMethod]
    public async Task AFolderLeftOpenByAnOlderVersionIsTightenedAndItsPlaintextKeysEncrypted()
    {
        if (OperatingSystem.IsWindows()) Assert.Inconclusive("Unix file modes");
        string data = NewFolder();
        Directory.CreateDirectory(data);
        try
        {
            // What an older receiver left: world-readable files, keys stored as they are.
            using (var db = new ReceiverDatabase(Path.Combine(data, "receiver.db")))
            {
                new DeviceRegistry(db).Upsert(new DeviceRecord { Id = "fob-0001", Key = new DeviceKey(Key), Kind = DeviceKind.Fob });
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.SetUnixFileMode(data, (UnixFileMode)Convert.ToInt32("755", 8));
            File.SetUnixFileMode(Path.Combine(data, "receiver.db"), (UnixFileMode)Convert.ToInt32("644", 8));
            Assert.IsNotNull(FileHolding(data, Key), "the old store holds the key in the clear (the test's premise)");

            var app = await Start(data);
            Assert.AreEqual(IngestStatus.Stored, Send(app, "fob-0001", 1), "the device verifies after the migration");
            await Stop(app);
            Assert.IsNull(FileHolding(data, Key), "the plaintext key is gone from every file (overwritten, not just unlinked)");
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data, "receiver.db")));
        }
        finally
        {
            Directory.Delete(data, true);
        }
    }

    [TestMethod]
    public async Task WithoutItsKeyFileOrWithAnotherTheReceiverRefusesToStartAndLosesNothing()
    {
        string data = NewFolder();
        string keyFile = Path.Combine(data, "device-keys.key");
        try
        {
            var app = await Start(data);
            await Provision(app, "fob-0001");
            await Stop(app);
            string saved = File.ReadAllText(keyFile);

            File.Delete(keyFile);
            var e = Assert.ThrowsExactly<KeyFileException>(() => ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", "0", "--data", data, "--operator-token", Token }));
            StringAssert.Contains(e.Message, "does not exist: restore it");
            StringAssert.Contains(e.Message, keyFile);
            Assert.IsFalse(File.Exists(keyFile), "no new key file was made (it would not open the stored keys)");

            File.WriteAllText(keyFile, Convert.ToHexString(SampleFrames.RandomKey(0x77)) + "\n");
            e = Assert.ThrowsExactly<KeyFileException>(() => ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", "0", "--data", data, "--operator-token", Token }));
            StringAssert.Contains(e.Message, "not the one this store's device keys are encrypted with");
            Assert.IsFalse(e.Message.Contains(Convert.ToHexString(Key), StringComparison.OrdinalIgnoreCase));
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

            // Restored from the backup: everything is there.
            File.WriteAllText(keyFile, saved);
            app = await Start(data);
            Assert.AreEqual(IngestStatus.Stored, Send(app, "fob-0001", 1));
            await Stop(app);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, true);
        }
    }

    [TestMethod]
    public void ReceiversStartedTogetherOnOneNewKeyFileAllGetTheOneKeyThatWasWritten()
    {
        // Two receivers of a scaled set-up start at once on a key file that does not exist yet: none may read a
        // half-written file, none may fail on the other's, and all must end up with the same key.
        for (int round = 0; round < 20; round++)
        {
            string dir = Path.Combine(Path.GetTempPath(), "pd-keyrace-" + Guid.NewGuid().ToString("N"));
            try
            {
                string path = Path.Combine(dir, "device-keys.key");
                // Threads of their own released together (the thread pool would start them one by one).
                using var together = new Barrier(8);
                var vaults = new DeviceKeyVault[8];
                var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
                Thread[] threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
                {
                    together.SignalAndWait();
                    try { vaults[i] = DeviceKeyVault.LoadOrCreate(path, mayCreate: true); }
                    catch (Exception e) { failures.Enqueue(e); }
                })).ToArray();
                foreach (Thread t in threads) t.Start();
                foreach (Thread t in threads) t.Join();
                Assert.IsEmpty(failures, string.Join("; ", failures.Select(f => f.Message)));
                Assert.HasCount(1, vaults.Select(v => Convert.ToHexString(v.CheckValue())).Distinct().ToArray(), "one key for all");
                Assert.AreEqual(Convert.ToHexString(vaults[0].CheckValue()), Convert.ToHexString(DeviceKeyVault.LoadOrCreate(path, mayCreate: false).CheckValue()), "the one in the file");
                Assert.IsFalse(File.Exists(path + ".tmp"), "no half-made key left");
                if (!OperatingSystem.IsWindows())
                {
                    foreach (string file in Directory.GetFiles(dir))
                    {
                        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file), file + " is owner-only");
                    }
                }
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }

    [TestMethod]
    public async Task AKeyFileKeptApartFromTheDataFolderIsUsedAndCreatedOwnerOnly()
    {
        string data = NewFolder(), apart = NewFolder();
        string keyFile = Path.Combine(apart, "vault", "receiver.key");
        try
        {
            var app = await Start(data, "--key-file", keyFile);
            await Provision(app, "fob-0001");
            await Stop(app);
            Assert.IsTrue(File.Exists(keyFile));
            Assert.IsFalse(File.Exists(Path.Combine(data, "device-keys.key")));
            if (!OperatingSystem.IsWindows())
            {
                Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            }
            app = await Start(data, "--key-file", keyFile);
            Assert.AreEqual(IngestStatus.Stored, Send(app, "fob-0001", 1));
            await Stop(app);
        }
        finally
        {
            Directory.Delete(data, true);
            Directory.Delete(apart, true);
        }
    }

    [TestMethod]
    public void ASealedKeyOpensOnlyForItsDeviceAndItsVault()
    {
        var vault = new DeviceKeyVault(SampleFrames.RandomKey(0x11));
        byte[] sealedKey = vault.Seal("fob-0001", Key);
        Assert.AreEqual(DeviceKeyVault.SealedLength, sealedKey.Length);
        Assert.AreEqual(-1, sealedKey.AsSpan().IndexOf(Key.AsSpan(0, 8)), "no part of the key in the clear");
        CollectionAssert.AreEqual(Key, vault.Open("fob-0001", sealedKey));
        CollectionAssert.AreEqual(sealedKey, vault.Seal("fob-0001", Key), "the same key seals the same way (the store compares keys)");
        Assert.ThrowsExactly<KeyFileException>(() => vault.Open("fob-0002", sealedKey), "moved to another device's row");
        Assert.ThrowsExactly<KeyFileException>(() => new DeviceKeyVault(SampleFrames.RandomKey(0x12)).Open("fob-0001", sealedKey));
        sealedKey[20] ^= 1;
        Assert.ThrowsExactly<KeyFileException>(() => vault.Open("fob-0001", sealedKey), "tampered");
    }
}
