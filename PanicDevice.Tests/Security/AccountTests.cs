using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Security;

/// <summary>
/// Issue 15, item 6: individual accounts with roles and hashed passwords. The integrations' operator token makes the
/// first admin; a person logs in for a 12-hour session; what each role may do; the timeline names the account, not
/// what was typed; wrong passwords, too many of them, a disabled account, a logout and an expired session all end access.
/// </summary>
[TestClass]
public class AccountTests
{
    private const string Password = "correct horse battery staple";

    private static async Task<HttpStatusCode> Create(LoopbackReceiver rx, string name, string role, string password = Password, string? token = LoopbackReceiver.OperatorToken) =>
        (await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/accounts", token, new { name, role, password }))).StatusCode;

    private static async Task<string> Login(LoopbackReceiver rx, string name, string password = Password)
    {
        var r = await rx.Http.PostAsJsonAsync("/api/login", new { name, password });
        Assert.AreEqual(HttpStatusCode.OK, r.StatusCode, await r.Content.ReadAsStringAsync());
        JsonElement session = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.AreEqual(name, session.GetProperty("name").GetString());
        return session.GetProperty("token").GetString()!;
    }

    private static async Task<HttpStatusCode> Get(LoopbackReceiver rx, string path, string token) => (await rx.Http.SendAsync(rx.Request(HttpMethod.Get, path, token))).StatusCode;

    [TestMethod]
    public async Task EachRoleMayDoItsOwnAndTheTimelineNamesTheAccount()
    {
        var time = new FakeClock(DateTimeOffset.UtcNow);
        await using var rx = await LoopbackReceiver.StartAsync(time);
        Assert.AreEqual(HttpStatusCode.Created, await Create(rx, "admin.rina", "admin"));
        string admin = await Login(rx, "admin.rina");
        Assert.AreEqual(HttpStatusCode.Created, await Create(rx, "dina", "operator", token: admin), "an admin makes accounts");
        Assert.AreEqual(HttpStatusCode.Created, await Create(rx, "sari", "supervisor", token: admin));
        Assert.AreEqual(HttpStatusCode.Conflict, await Create(rx, "dina", "operator", token: admin));
        Assert.AreEqual(HttpStatusCode.BadRequest, await Create(rx, "budi", "operator", "short", admin), "a password under 12 characters");
        Assert.AreEqual(HttpStatusCode.BadRequest, await Create(rx, "budi", "boss", token: admin));
        string dina = await Login(rx, "dina"), sari = await Login(rx, "sari");

        foreach (var (path, operatorMay, supervisorMay) in new[] { ("/api/alerts", true, true), ("/api/devices", true, true), ("/api/quality", false, true), ("/api/accounts", false, false) })
        {
            Assert.AreEqual(operatorMay ? HttpStatusCode.OK : HttpStatusCode.Forbidden, await Get(rx, path, dina), "operator " + path);
            Assert.AreEqual(supervisorMay ? HttpStatusCode.OK : HttpStatusCode.Forbidden, await Get(rx, path, sari), "supervisor " + path);
            Assert.AreEqual(HttpStatusCode.OK, await Get(rx, path, admin), "admin " + path);
        }
        var provision = await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/devices", dina, new { id = "fob-0009", key = Convert.ToHexString(LoopbackReceiver.Key), kind = "fob" }));
        Assert.AreEqual(HttpStatusCode.Forbidden, provision.StatusCode, "keys and revocation are admins'");

        await rx.ProvisionAsync("fob-0001");
        rx.Send(SampleFrames.Alert("fob-0001", 1));
        long id = (await (await rx.Http.SendAsync(rx.Request(HttpMethod.Get, "/api/alerts", dina))).Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("id").GetInt64();
        var ack = await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/alerts/" + id + "/acknowledge", dina, new { @operator = "mallory" }));
        Assert.AreEqual("by dina", (await ack.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("timeline")[1].GetProperty("detail").GetString(), "the account, not what was typed");
        JsonElement me = await (await rx.Http.SendAsync(rx.Request(HttpMethod.Get, "/api/me", sari))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.AreEqual(("sari", "supervisor", true), (me.GetProperty("name").GetString(), me.GetProperty("role").GetString(), me.GetProperty("account").GetBoolean()));

        // Passwords are kept hashed (ASP.NET Core Identity's format), never as typed.
        string stored = rx.Service<PanicDevice.Receiver.Storage.ReceiverDatabase>().Open() is var c && c is not null
            ? (string)PanicDevice.Receiver.Storage.ReceiverDatabase.Command(c, null, "SELECT password_hash FROM accounts WHERE name = 'dina'").ExecuteScalar()! : "";
        Assert.IsFalse(stored.Contains("horse", StringComparison.Ordinal));
        StringAssert.StartsWith(stored, "AQAAAA", "PasswordHasher v3: PBKDF2 with a salt and its parameters");

        // A session lasts 12 hours.
        time.Advance(TimeSpan.FromHours(12) + TimeSpan.FromSeconds(1));
        Assert.AreEqual(HttpStatusCode.Unauthorized, await Get(rx, "/api/alerts", dina));
    }

    [TestMethod]
    public async Task WrongPasswordsLogoutsAndDisabledAccountsEndAccess()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        Assert.AreEqual(HttpStatusCode.Created, await Create(rx, "dina", "operator"));
        var wrong = await rx.Http.PostAsJsonAsync("/api/login", new { name = "dina", password = "not the password" });
        var nobody = await rx.Http.PostAsJsonAsync("/api/login", new { name = "nobody", password = Password });
        Assert.AreEqual(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.AreEqual(await wrong.Content.ReadAsStringAsync(), await nobody.Content.ReadAsStringAsync(), "nothing says whether the name exists");

        string token = await Login(rx, "dina");
        Assert.AreEqual(HttpStatusCode.OK, (await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/logout", token, new { }))).StatusCode);
        Assert.AreEqual(HttpStatusCode.Unauthorized, await Get(rx, "/api/alerts", token), "logged out");

        token = await Login(rx, "dina");
        Assert.AreEqual(HttpStatusCode.OK, (await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/accounts/dina/disable", LoopbackReceiver.OperatorToken, new { }))).StatusCode);
        Assert.AreEqual(HttpStatusCode.Unauthorized, await Get(rx, "/api/alerts", token), "a disabled account's session ends at once");
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await rx.Http.PostAsJsonAsync("/api/login", new { name = "dina", password = Password })).StatusCode);
        await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/accounts/dina/enable", LoopbackReceiver.OperatorToken, new { }));

        // Five wrong passwords for one name shut it out for a while, the right one included.
        for (int i = 0; i < 4; i++) await rx.Http.PostAsJsonAsync("/api/login", new { name = "dina", password = "guess " + i });
        var shut = await rx.Http.PostAsJsonAsync("/api/login", new { name = "dina", password = Password });
        Assert.AreEqual((HttpStatusCode)429, shut.StatusCode);
        StringAssert.Contains(await shut.Content.ReadAsStringAsync(), "too many wrong passwords");
        Assert.AreEqual(HttpStatusCode.OK, (await rx.Http.SendAsync(rx.Request(HttpMethod.Put, "/api/accounts/dina/password", LoopbackReceiver.OperatorToken, new { password = "a brand new passphrase" }))).StatusCode);
    }
}
