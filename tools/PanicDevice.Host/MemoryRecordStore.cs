using PanicDevice.Core.Storage;

namespace PanicDevice.Host;

/// <summary>Device flash for a simulated device that lives as long as its process.</summary>
public sealed class MemoryRecordStore : IRecordStore
{
    private readonly Dictionary<string, byte[]> records = new();

    public byte[]? Read(string name) { lock (records) return records.TryGetValue(name, out var r) ? (byte[])r.Clone() : null; }

    public void Write(string name, byte[] data) { lock (records) records[name] = (byte[])data.Clone(); }

    public void Delete(string name) { lock (records) records.Remove(name); }
}
