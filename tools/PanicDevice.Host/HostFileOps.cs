using PanicDevice.Core.Storage;

namespace PanicDevice.Host;

/// <summary>
/// The host's file system behind Core's <see cref="IFileOps"/>, so a simulated device keeps its flash
/// (counter, outbox) in a folder through the same <see cref="Core.Storage.FileRecordStore"/> the firmware
/// uses on I:\ — and a fresh counter is never refused by the receiver as a replay after a restart.
/// </summary>
public sealed class HostFileOps : IFileOps
{
    public bool Exists(string path) => File.Exists(path);
    public byte[] ReadAllBytes(string path) => File.ReadAllBytes(path);
    public void WriteAllBytes(string path, byte[] data) => File.WriteAllBytes(path, data);
    public void Delete(string path) => File.Delete(path);

    // nanoFramework's File.Move throws when the destination exists; so does this, so Core's recovery path runs here too.
    public void Move(string from, string to) => File.Move(from, to, overwrite: false);

    /// <summary>A record store in the folder (created if missing).</summary>
    public static IRecordStore Folder(string folder)
    {
        Directory.CreateDirectory(folder);
        return new Core.Storage.FileRecordStore(new HostFileOps(), Path.GetFullPath(folder) + Path.DirectorySeparatorChar);
    }
}
