using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Accounts;

/// <summary>What an account may do: operators handle alerts, supervisors also see the quality report, admins also manage devices and accounts.</summary>
internal static class Roles
{
    public const string Operator = "operator";
    public const string Supervisor = "supervisor";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = new[] { Operator, Supervisor, Admin };

    /// <summary>The claim that marks a person's session (absent for the machine tokens).</summary>
    public const string AccountClaim = "pd:account";

    /// <summary>
    /// Who did it, for the timeline and the audit: a logged-in person's account name, never what they typed; for the
    /// integrations' operator token, the name they give (or "operator"), one line, at most 60 characters.
    /// </summary>
    public static string Actor(ClaimsPrincipal user, string? typed)
    {
        if (user.FindFirst(AccountClaim)?.Value is { } account)
        {
            return account;
        }
        string name = string.IsNullOrWhiteSpace(typed) || Registry.PlainText.HasControlCharacters(typed) ? "operator" : typed.Trim();
        return name.Length > 60 ? name[..60] : name;
    }
}

internal sealed record AccountView(string Name, string Role, bool Disabled, string CreatedUtc);

internal sealed record SessionView(string Token, string Name, string Role, string ExpiresUtc);

/// <summary>
/// Operators' accounts and their sessions, shared by every receiver on the store. Passwords are kept only as ASP.NET
/// Core Identity's PasswordHasher makes them (PBKDF2, salted, versioned); a session token is 256 random bits, given
/// once at login and stored only as its SHA-256, valid for <see cref="SessionLifetime"/>. Nothing here logs or returns
/// a password or a token it did not just make.
/// </summary>
internal sealed class AccountBook(ReceiverDatabase db, TimeProvider time)
{
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(12);

    public const int MinPasswordLength = 12;

    private static readonly PasswordHasher<string> Hasher = new();

    // Verified against when the name is unknown, so a wrong name takes as long as a wrong password.
    private static readonly string Decoy = Hasher.HashPassword("", Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));

    /// <summary>Null when created; otherwise why not.</summary>
    public string? Create(string? name, string? role, string? password)
    {
        if (NameProblem(name) is { } bad) return bad;
        if (role == null || !Roles.All.Contains(role)) return "role must be operator, supervisor or admin";
        if (PasswordProblem(password) is { } weak) return weak;
        using var c = db.Open();
        using var cmd = ReceiverDatabase.Command(c, null, """
            INSERT INTO accounts (name, role, password_hash, disabled, created_utc) VALUES (@n, @r, @h, 0, @now)
            ON CONFLICT (name) DO NOTHING
            """);
        cmd.With("@n", name!.Trim());
        cmd.With("@r", role);
        cmd.With("@h", Hasher.HashPassword(name.Trim(), password!));
        cmd.With("@now", time.GetUtcNow().UtcDateTime.ToString("O"));
        return cmd.ExecuteNonQuery() == 1 ? null : "an account " + name.Trim() + " exists";
    }

    /// <summary>Sets a new password and ends the account's sessions; null when done, otherwise why not.</summary>
    public string? SetPassword(string name, string? password)
    {
        if (PasswordProblem(password) is { } weak) return weak;
        return db.InTransaction((c, tx) =>
        {
            using var cmd = ReceiverDatabase.Command(c, tx, "UPDATE accounts SET password_hash = @h WHERE name = @n");
            cmd.With("@h", Hasher.HashPassword(name, password!));
            cmd.With("@n", name);
            if (cmd.ExecuteNonQuery() == 0) return "no account " + name;
            EndSessions(c, tx, name);
            tx.Commit();
            return (string?)null;
        });
    }

    /// <summary>Disables (or enables) an account; disabling ends its sessions at once.</summary>
    public bool SetDisabled(string name, bool disabled) => db.InTransaction((c, tx) =>
    {
        using var cmd = ReceiverDatabase.Command(c, tx, "UPDATE accounts SET disabled = @d WHERE name = @n");
        cmd.With("@d", disabled ? 1 : 0);
        cmd.With("@n", name);
        if (cmd.ExecuteNonQuery() == 0) return false;
        if (disabled) EndSessions(c, tx, name);
        tx.Commit();
        return true;
    });

    public IReadOnlyList<AccountView> All()
    {
        using var c = db.Open();
        using var cmd = ReceiverDatabase.Command(c, null, "SELECT name, role, disabled, created_utc FROM accounts ORDER BY name");
        using var r = cmd.ExecuteReader();
        var list = new List<AccountView>();
        while (r.Read()) list.Add(new AccountView(r.GetString(0), r.GetString(1), r.GetInt32(2) == 1, r.GetString(3)));
        return list;
    }

    /// <summary>A new session for the right name and password of an enabled account; null otherwise (the same for any reason).</summary>
    public SessionView? Login(string? name, string? password)
    {
        name = name?.Trim() ?? "";
        string? hash = null, role = null;
        using (var c = db.Open())
        using (var cmd = ReceiverDatabase.Command(c, null, "SELECT password_hash, role FROM accounts WHERE name = @n AND disabled = 0"))
        {
            cmd.With("@n", name);
            using var r = cmd.ExecuteReader();
            if (r.Read())
            {
                hash = r.GetString(0);
                role = r.GetString(1);
            }
        }
        PasswordVerificationResult result = Hasher.VerifyHashedPassword(name, hash ?? Decoy, password ?? "");
        if (hash == null || result == PasswordVerificationResult.Failed)
        {
            return null;
        }
        string token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        DateTime expires = time.GetUtcNow().UtcDateTime + SessionLifetime;
        db.InTransaction((c, tx) =>
        {
            if (result == PasswordVerificationResult.SuccessRehashNeeded)
            {
                using var rehash = ReceiverDatabase.Command(c, tx, "UPDATE accounts SET password_hash = @h WHERE name = @n");
                rehash.With("@h", Hasher.HashPassword(name, password!));
                rehash.With("@n", name);
                rehash.ExecuteNonQuery();
            }
            using var cmd = ReceiverDatabase.Command(c, tx, "INSERT INTO sessions (token_hash, account, expires_utc) VALUES (@t, @a, @e)");
            cmd.With("@t", Digest(token));
            cmd.With("@a", name);
            cmd.With("@e", expires.ToString("O"));
            cmd.ExecuteNonQuery();
            tx.Commit();
            return 0;
        });
        return new SessionView(token, name, role!, expires.ToString("O"));
    }

    /// <summary>The account of a live session (not expired, account enabled), or null.</summary>
    public (string Name, string Role)? Find(string token)
    {
        using var c = db.Open();
        using var cmd = ReceiverDatabase.Command(c, null, """
            SELECT a.name, a.role FROM sessions s JOIN accounts a ON a.name = s.account
            WHERE s.token_hash = @t AND s.expires_utc > @now AND a.disabled = 0
            """);
        cmd.With("@t", Digest(token));
        cmd.With("@now", time.GetUtcNow().UtcDateTime.ToString("O"));
        using var r = cmd.ExecuteReader();
        return r.Read() ? (r.GetString(0), r.GetString(1)) : null;
    }

    public void Logout(string token)
    {
        using var c = db.Open();
        using var cmd = ReceiverDatabase.Command(c, null, "DELETE FROM sessions WHERE token_hash = @t");
        cmd.With("@t", Digest(token));
        cmd.ExecuteNonQuery();
    }

    private static void EndSessions(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string name)
    {
        using var cmd = ReceiverDatabase.Command(c, tx, "DELETE FROM sessions WHERE account = @n");
        cmd.With("@n", name);
        cmd.ExecuteNonQuery();
    }

    private static string Digest(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string? NameProblem(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Trim().Length > 40 || Registry.PlainText.HasControlCharacters(name)
            ? "name is 1 to 40 characters of one line (it is what the timeline shows)" : null;

    private static string? PasswordProblem(string? password) =>
        password == null || password.Length < MinPasswordLength
            ? "password must be at least " + MinPasswordLength.ToString(CultureInfo.InvariantCulture) + " characters (a passphrase of several words is best)" : null;
}
