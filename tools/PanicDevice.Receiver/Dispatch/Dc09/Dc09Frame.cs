using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PanicDevice.Receiver.Dispatch.Dc09;

/// <summary>
/// The SIA DC-09 (ANSI/SIA DC-09-2013) message frame, as an alarm panel sends it to an ARC's IP receiver:
/// <c>LF crc 0LLL "id" seq [Rrcvr] Lpref #acct [data]…timestamp CR</c>. crc is CRC-16/ARC (polynomial 0x8005,
/// reflected, initial 0) of everything from the first quote to the end of the timestamp, in 4 hex digits; 0LLL
/// is that span's length in 3 hex digits after a 0. With a key, the id gets a "*" and everything after the "["
/// (data, "]", extended data, timestamp) is AES-CBC encrypted with a zero IV, after random padding in front
/// that makes it a whole number of 16-byte blocks, and sent as hex. The ARC answers ACK, NAK (with its own
/// time when ours was outside its window) or DUH (<see cref="Dc09Reply"/>).
/// </summary>
internal static class Dc09Frame
{
    public const string SiaDcs = "SIA-DCS";
    public const string ContactId = "ADM-CID";
    public const string Null = "NULL";

    /// <summary>Characters random padding is drawn from: never one that can start the data ("#", "|", "]", "[").</summary>
    private const string PadCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>
    /// The whole message, LF to CR, ASCII. <paramref name="data"/> is what goes between the brackets (empty for a
    /// link test), <paramref name="extended"/> the extended-data blocks without brackets; <paramref name="sequence"/>
    /// runs 1–9999 (0 for a link test). <paramref name="pad"/> gives the padding of an encrypted message (random when null).
    /// </summary>
    public static byte[] Build(string id, int sequence, Dc09Account account, string data, IReadOnlyList<string> extended, DateTime utc, Func<int, string>? pad = null)
    {
        if (sequence is < 0 or > 9999)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), "a DC-09 sequence number runs 0000–9999");
        }
        var payload = new StringBuilder(data).Append(']');
        foreach (string block in extended)
        {
            payload.Append('[').Append(block).Append(']');
        }
        payload.Append(Timestamp(utc));
        var body = new StringBuilder();
        body.Append('"').Append(account.Encrypted ? "*" : "").Append(id).Append('"')
            .Append(sequence.ToString("D4", CultureInfo.InvariantCulture))
            .Append(account.Receiver == null ? "" : "R" + account.Receiver)
            .Append('L').Append(account.LinePrefix)
            .Append('#').Append(account.Account)
            .Append('[')
            .Append(account.Encrypted ? Encrypt(account, payload.ToString(), pad ?? RandomPad) : payload.ToString());
        return Wrap(body.ToString());
    }

    /// <summary>LF, CRC, length, <paramref name="body"/>, CR.</summary>
    public static byte[] Wrap(string body)
    {
        byte[] ascii = Encoding.ASCII.GetBytes(body);
        if (ascii.Length > 0xFFF)
        {
            throw new ArgumentException("a DC-09 message body is at most 4,095 bytes");
        }
        string head = "\n" + Crc(ascii).ToString("X4", CultureInfo.InvariantCulture) + "0" + ascii.Length.ToString("X3", CultureInfo.InvariantCulture);
        return Encoding.ASCII.GetBytes(head + body + "\r");
    }

    /// <summary>CRC-16/ARC of <paramref name="ascii"/>.</summary>
    public static ushort Crc(ReadOnlySpan<byte> ascii)
    {
        ushort crc = 0;
        foreach (byte b in ascii)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (ushort)((crc >> 1) ^ 0xA001) : (ushort)(crc >> 1);
            }
        }
        return crc;
    }

    /// <summary>The timestamp block, UTC: <c>_HH:MM:SS,MM-DD-YYYY</c>.</summary>
    public static string Timestamp(DateTime utc) => utc.ToUniversalTime().ToString("'_'HH':'mm':'ss','MM'-'dd'-'yyyy", CultureInfo.InvariantCulture);

    private static string Encrypt(Dc09Account account, string payload, Func<int, string> pad)
    {
        int padding = 16 - payload.Length % 16; // 1–16: there is always some, so the plain text never starts the block
        string padded = pad(padding) + payload;
        using var aes = Aes.Create();
        aes.Key = account.Key();
        byte[] cipher = aes.EncryptCbc(Encoding.ASCII.GetBytes(padded), new byte[16], PaddingMode.None);
        return Convert.ToHexString(cipher);
    }

    /// <summary>Decrypts the hex after "[" of an encrypted message from <paramref name="account"/>, padding removed.</summary>
    public static string Decrypt(Dc09Account account, string hex)
    {
        using var aes = Aes.Create();
        aes.Key = account.Key();
        string plain = Encoding.ASCII.GetString(aes.DecryptCbc(Convert.FromHexString(hex), new byte[16], PaddingMode.None));
        int start = plain.IndexOfAny(new[] { '#', '|', ']', '[' });
        return start < 0 ? throw new FormatException("no data in the decrypted block: wrong key?") : plain[start..];
    }

    private static string RandomPad(int length)
    {
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = PadCharacters[RandomNumberGenerator.GetInt32(PadCharacters.Length)];
        }
        return new string(chars);
    }
}
