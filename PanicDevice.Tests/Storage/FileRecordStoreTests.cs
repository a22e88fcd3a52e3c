using System;
using System.Collections;
using System.IO;
using PanicDevice.Core.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Storage;

[TestClass]
public class FileRecordStoreTests
{
    /// <summary>Files in memory with System.IO.File's nanoFramework rules; power can fail after N operations.</summary>
    private sealed class PoweredFiles : IFileOps
    {
        public readonly Hashtable Files = new Hashtable();
        public int OperationsLeft = int.MaxValue;

        private void Step()
        {
            if (OperationsLeft-- <= 0)
            {
                throw new IOException("power lost");
            }
        }

        public bool Exists(string path)
        {
            return Files.Contains(path);
        }

        public byte[] ReadAllBytes(string path)
        {
            if (!Files.Contains(path))
            {
                throw new IOException("not found");
            }
            return (byte[])Files[path];
        }

        public void WriteAllBytes(string path, byte[] data)
        {
            Step();
            Files[path] = data;
        }

        public void Delete(string path)
        {
            Step();
            Files.Remove(path);
        }

        public void Move(string from, string to)
        {
            Step();
            if (Files.Contains(to))
            {
                throw new IOException("PathAlreadyExists");
            }
            Files[to] = Files[from];
            Files.Remove(from);
        }
    }

    [TestMethod]
    public void WritesReadsReplacesAndDeletes()
    {
        PoweredFiles files = new PoweredFiles();
        FileRecordStore store = new FileRecordStore(files, "I:\\");
        Assert.IsNull(store.Read("counter.a"));
        store.Write("counter.a", new byte[] { 1 });
        store.Write("counter.a", new byte[] { 2 });
        Expect.SameBytes(new byte[] { 2 }, store.Read("counter.a"));
        Assert.AreEqual(1, files.Files.Count, "files left beside the record");
        Assert.IsTrue(files.Files.Contains("I:\\counter.a"), "the record's file is I:\\counter.a");
        store.Delete("counter.a");
        Assert.IsNull(store.Read("counter.a"));
        Assert.AreEqual(0, files.Files.Count);
    }

    [TestMethod]
    public void PowerLossAtAnyStepLeavesTheOldOrTheNewRecord()
    {
        for (int failAt = 0; failAt < 5; failAt++)
        {
            PoweredFiles files = new PoweredFiles();
            FileRecordStore store = new FileRecordStore(files, "I:\\");
            store.Write("ob.3", new byte[] { 1, 1 });
            files.OperationsLeft = failAt;
            try
            {
                store.Write("ob.3", new byte[] { 2, 2 });
            }
            catch (IOException)
            {
            }
            files.OperationsLeft = int.MaxValue;

            byte[] after = new FileRecordStore(files, "I:\\").Read("ob.3");
            Assert.IsNotNull(after, "record lost when power failed at step " + failAt.ToString());
            string found = Hex.Of(after);
            Assert.IsTrue(found == "0101" || found == "0202", "step " + failAt.ToString() + " left " + found);
            store.Write("ob.3", new byte[] { 3 });
            Expect.SameBytes(new byte[] { 3 }, store.Read("ob.3"), "a later write works after a crash at step " + failAt.ToString());
        }
    }

    [TestMethod]
    public void ACrashBetweenDeleteAndRenameIsFinishedOnRead()
    {
        PoweredFiles files = new PoweredFiles();
        FileRecordStore store = new FileRecordStore(files, "I:\\");
        store.Write("k", new byte[] { 1 });
        files.OperationsLeft = 2; // write .new, delete old, then the rename fails
        Expect.Throws(typeof(IOException), () => store.Write("k", new byte[] { 9 }));
        files.OperationsLeft = int.MaxValue;
        Expect.SameBytes(new byte[] { 9 }, store.Read("k"));
        Assert.IsFalse(files.Exists("I:\\k" + FileRecordStore.PendingSuffix), "the pending file is still there");
    }
}
