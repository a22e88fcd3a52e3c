using System.Security.Cryptography;
using System.Text;

namespace PanicDevice.Receiver.Api;

/// <summary>Checks "Authorization: Bearer …" against a configured secret in constant time.</summary>
internal static class BearerToken
{
    /// <summary>
    /// True when the header is the Bearer scheme — its name in any case, then one or more spaces (RFC 9110
    /// §11.1, §11.4) — followed by exactly the expected token (case matters there).
    /// </summary>
    public static bool Matches(HttpRequest request, string expected)
    {
        if (Presented(request) is not { } token)
        {
            return false;
        }
        byte[] a = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        byte[] b = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    /// <summary>The token after "Bearer " (RFC 9110: the scheme in any case, one or more spaces), or null.</summary>
    public static string? Presented(HttpRequest request)
    {
        string header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer";
        if (header.Length <= scheme.Length || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || header[scheme.Length] != ' ')
        {
            return null;
        }
        string token = header[scheme.Length..].TrimStart(' ');
        return token.Length == 0 ? null : token;
    }

    /// <summary>Reads the secret from the file, creating it (owner-only) with a random value the first time.</summary>
    public static string LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }
        string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        File.WriteAllText(path, token + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return token;
    }
}
