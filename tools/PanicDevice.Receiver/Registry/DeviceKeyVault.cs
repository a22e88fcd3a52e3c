using System.Security.Cryptography;
using System.Text;

namespace PanicDevice.Receiver.Registry;

/// <summary>
/// Encrypts device keys for the store with a 256-bit key kept in a file of its own (owner-only), so a copy of the
/// database alone (a backup, a stolen disk image, a file left world-readable) holds no usable device key.
/// AES-256-GCM with the device id as associated data, so a stored key moved to another device's row does not decrypt.
/// The nonce is derived from the id and the key (HMAC), not random: the same key for the same device encrypts to the
/// same bytes, so the store can still tell "same key" from "new key" (the anti-replay window is kept only for the
/// same key), and a nonce repeats only with the same plaintext, which reveals nothing GCM would otherwise hide.
/// </summary>
internal sealed class DeviceKeyVault
{
    /// <summary>First byte of an encrypted key; a stored key of 32 bytes is a plaintext one from before encryption.</summary>
    public const byte Version1 = 0x01;
    public const int SealedLength = 1 + 12 + 32 + 16;

    private readonly byte[] encryptionKey;
    private readonly byte[] nonceKey;

    public DeviceKeyVault(byte[] masterKey)
    {
        if (masterKey.Length != 32)
        {
            throw new ArgumentException("the storage key is 32 bytes");
        }
        // Two keys from one, so the nonce derivation and the cipher never share a key.
        encryptionKey = HMACSHA256.HashData(masterKey, "panicdevice device-key encryption v1"u8);
        nonceKey = HMACSHA256.HashData(masterKey, "panicdevice device-key nonce v1"u8);
    }

    /// <summary>Where the storage key file is kept unless --key-file says otherwise.</summary>
    public static string DefaultPath(string dataFolder) => Path.Combine(dataFolder, "device-keys.key");

    /// <summary>
    /// Reads the storage key from <paramref name="path"/>, or creates it (owner-only, random) when it does not exist and
    /// <paramref name="mayCreate"/> (no encrypted key is stored yet). A missing file when keys are encrypted is an error:
    /// a new file would not open them, and every device would be refused.
    /// </summary>
    public static DeviceKeyVault LoadOrCreate(string path, bool mayCreate)
    {
        if (!File.Exists(path))
        {
            if (!mayCreate)
            {
                throw new KeyFileException("the store holds encrypted device keys but the key file " + path + " does not exist: restore it from the " +
                    "backup it was saved with (docs/security.md, \"Backup and restore\"); the receiver does not start without it, since no device could be verified");
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            // Receivers started together on one new key file (docs/scaling.md): one makes it while the others wait on
            // an exclusive lock beside it, and it appears whole (written aside, then renamed), so nobody reads half a key
            // or keeps a key that lost.
            using (FileStream _ = LockBeside(path))
            {
                if (!File.Exists(path))
                {
                    byte[] fresh = RandomNumberGenerator.GetBytes(32);
                    string temp = path + ".tmp";
                    var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
                    if (!OperatingSystem.IsWindows())
                    {
                        create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                    }
                    using (var f = new FileStream(temp, create))
                    {
                        f.Write(Encoding.ASCII.GetBytes(Convert.ToHexString(fresh).ToLowerInvariant() + "\n"));
                        f.Flush(flushToDisk: true);
                    }
                    File.Move(temp, path, overwrite: false);
                    return new DeviceKeyVault(fresh);
                }
            }
        }
        string text = File.ReadAllText(path).Trim();
        if (text.Length != 64 || !text.All(Uri.IsHexDigit))
        {
            throw new KeyFileException("the key file " + path + " is not a storage key (64 hexadecimal characters): restore it from its backup");
        }
        return new DeviceKeyVault(Convert.FromHexString(text));
    }

    // An exclusive lock (FileShare.None: flock on Linux, across processes) on PATH.lock, waited for up to 10 s.
    private static FileStream LockBeside(string path)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // Owner-only like everything in the data folder (a start-up check flags anything else).
                var open = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    open.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }
                return new FileStream(path + ".lock", open);
            }
            catch (IOException) when (waited.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>A value that tells storage keys apart without revealing them (the store keeps it to recognise its key file).</summary>
    public byte[] CheckValue() => HMACSHA256.HashData(nonceKey, "panicdevice storage key check v1"u8);

    public byte[] Seal(string deviceId, byte[] key)
    {
        byte[] sealedKey = new byte[SealedLength];
        sealedKey[0] = Version1;
        Span<byte> nonce = sealedKey.AsSpan(1, 12);
        HMACSHA256.HashData(nonceKey, Encoding.UTF8.GetBytes(deviceId).Concat(key).ToArray()).AsSpan(0, 12).CopyTo(nonce);
        using var gcm = new AesGcm(encryptionKey, 16);
        gcm.Encrypt(nonce, key, sealedKey.AsSpan(13, 32), sealedKey.AsSpan(45, 16), Encoding.UTF8.GetBytes(deviceId));
        return sealedKey;
    }

    /// <summary>The device key; a <see cref="KeyFileException"/> when this vault's key did not seal it.</summary>
    public byte[] Open(string deviceId, byte[] sealedKey)
    {
        if (sealedKey.Length != SealedLength || sealedKey[0] != Version1)
        {
            throw new KeyFileException("the stored key of device " + deviceId + " is not in a known format");
        }
        byte[] key = new byte[32];
        try
        {
            using var gcm = new AesGcm(encryptionKey, 16);
            gcm.Decrypt(sealedKey.AsSpan(1, 12), sealedKey.AsSpan(13, 32), sealedKey.AsSpan(45, 16), key, Encoding.UTF8.GetBytes(deviceId));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new KeyFileException("the key file does not open the stored key of device " + deviceId +
                ": it is not the key file this store was encrypted with (docs/security.md, \"Backup and restore\")");
        }
        return key;
    }
}

/// <summary>The storage key file is missing, malformed or not the one the store was encrypted with. Never carries a key.</summary>
internal sealed class KeyFileException : Exception
{
    public KeyFileException(string message) : base(message)
    {
    }
}
