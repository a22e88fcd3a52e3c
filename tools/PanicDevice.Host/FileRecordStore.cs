using PanicDevice.Core.Storage;

namespace PanicDevice.Host;

/// <summary>
/// Device flash in a folder, one file a record, so a simulated device keeps its counter and outbox between
/// runs as a real one does across reboots (a fresh counter would be refused by the receiver as a replay).
/// Writes go to a temporary file first and are renamed over the old one.
/// </summary>
public sealed class FileRecordStore : IRecordStore
{
    private readonly string folder;

    public FileRecordStore(string folder)
    {
        this.folder = folder;
        Directory.CreateDirectory(folder);
    }

    private string PathOf(string name)
    {
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')))
            throw new ArgumentException("record names are letters, digits, '.', '-' and '_'", nameof(name));
        return Path.Combine(folder, name);
    }

    public byte[]? Read(string name)
    {
        string path = PathOf(name);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    public void Write(string name, byte[] data)
    {
        string path = PathOf(name);
        string temp = path + ".tmp";
        File.WriteAllBytes(temp, data);
        File.Move(temp, path, overwrite: true);
    }

    public void Delete(string name) => File.Delete(PathOf(name));
}
