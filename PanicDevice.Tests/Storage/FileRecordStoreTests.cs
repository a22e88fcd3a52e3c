using PanicDevice.Core.Storage;

namespace PanicDevice.Tests.Storage;

[TestClass]
public class FileRecordStoreTests
{
    /// <summary>Files in memory with System.IO.File's nanoFramework rules; power can fail after N operations.</summary>
    private sealed class PoweredFiles : IFileOps
    {
        public readonly Dictionary<string, byte[]> Files = new();
        public int OperationsLeft = int.MaxValue;

        private void Step()
        {
            if (OperationsLeft-- <= 0) throw new IOException("power lost");
        }

        public bool Exists(string path) => Files.ContainsKey(path);
        public byte[] ReadAllBytes(string path) => Files.TryGetValue(path, out var b) ? b : throw new IOException("not found");
        public void WriteAllBytes(string path, byte[] data) { Step(); Files[path] = data; }
        public void Delete(string path) { Step(); Files.Remove(path); }

        public void Move(string from, string to)
        {
            Step();
            if (Files.ContainsKey(to)) throw new IOException("PathAlreadyExists");
            Files[to] = Files[from];
            Files.Remove(from);
        }
    }

    [TestMethod]
    public void WritesReadsReplacesAndDeletes()
    {
        var files = new PoweredFiles();
        var store = new FileRecordStore(files, "I:\\");
        Assert.IsNull(store.Read("counter.a"));
        store.Write("counter.a", new byte[] { 1 });
        store.Write("counter.a", new byte[] { 2 });
        CollectionAssert.AreEqual(new byte[] { 2 }, store.Read("counter.a"));
        CollectionAssert.AreEquivalent(new[] { "I:\\counter.a" }, files.Files.Keys.ToArray());
        store.Delete("counter.a");
        Assert.IsNull(store.Read("counter.a"));
        Assert.AreEqual(0, files.Files.Count);
    }

    [TestMethod]
    public void PowerLossAtAnyStepLeavesTheOldOrTheNewRecord()
    {
        for (int failAt = 0; failAt < 5; failAt++)
        {
            var files = new PoweredFiles();
            var store = new FileRecordStore(files, "I:\\");
            store.Write("ob.3", new byte[] { 1, 1 });
            files.OperationsLeft = failAt;
            try { store.Write("ob.3", new byte[] { 2, 2 }); } catch (IOException) { }
            files.OperationsLeft = int.MaxValue;

            byte[]? after = new FileRecordStore(files, "I:\\").Read("ob.3");
            Assert.IsNotNull(after, "record lost when power failed at step " + failAt);
            Assert.IsTrue(after.SequenceEqual(new byte[] { 1, 1 }) || after.SequenceEqual(new byte[] { 2, 2 }), "step " + failAt);
            store.Write("ob.3", new byte[] { 3 });
            CollectionAssert.AreEqual(new byte[] { 3 }, store.Read("ob.3"), "a later write works after a crash at step " + failAt);
        }
    }

    [TestMethod]
    public void ACrashBetweenDeleteAndRenameIsFinishedOnRead()
    {
        var files = new PoweredFiles();
        var store = new FileRecordStore(files, "I:\\");
        store.Write("k", new byte[] { 1 });
        files.OperationsLeft = 2; // write .new, delete old, then the rename fails
        Assert.ThrowsExactly<IOException>(() => store.Write("k", new byte[] { 9 }));
        files.OperationsLeft = int.MaxValue;
        CollectionAssert.AreEqual(new byte[] { 9 }, store.Read("k"));
        Assert.IsFalse(files.Exists("I:\\k" + FileRecordStore.PendingSuffix));
    }
}
