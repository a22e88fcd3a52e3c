namespace PanicDevice.Core.Storage
{
    /// <summary>
    /// One file per record key under a folder (I:\ on the device). A write goes to "key.new" first, then the
    /// old file is deleted and the new one renamed over it, because the file API's Move refuses an existing
    /// destination. A crash leaves one of: the old file (plus a torn or complete .new, ignored), or only a
    /// complete .new (between delete and rename), which <see cref="Read"/> finishes renaming. So a record is
    /// never lost to a torn write once it existed; Core's CRCs still guard a first write torn midway.
    /// </summary>
    public class FileRecordStore : IRecordStore
    {
        /// <summary>Suffix of the file a write goes to before it replaces the record.</summary>
        public const string PendingSuffix = ".new";

        private readonly IFileOps files;
        private readonly string folder;

        /// <summary>Stores records as files in <paramref name="folder"/> (with its trailing separator, e.g. "I:\\").</summary>
        public FileRecordStore(IFileOps files, string folder)
        {
            this.files = files;
            this.folder = folder;
        }

        /// <summary>The path of a record's file.</summary>
        public string PathOf(string name)
        {
            return folder + name;
        }

        /// <summary>Returns the record's bytes, or null when it does not exist.</summary>
        public byte[] Read(string name)
        {
            string path = PathOf(name);
            string pending = path + PendingSuffix;
            if (files.Exists(path))
            {
                return files.ReadAllBytes(path);
            }
            if (files.Exists(pending))
            {
                // The crash came between delete and rename: the .new file was complete.
                files.Move(pending, path);
                return files.ReadAllBytes(path);
            }
            return null;
        }

        /// <summary>Replaces the record's bytes through a pending file and a rename.</summary>
        public void Write(string name, byte[] data)
        {
            string path = PathOf(name);
            string pending = path + PendingSuffix;
            if (files.Exists(pending))
            {
                files.Delete(pending);
            }
            files.WriteAllBytes(pending, data);
            if (files.Exists(path))
            {
                files.Delete(path);
            }
            files.Move(pending, path);
        }

        /// <summary>Removes the record and any pending copy of it.</summary>
        public void Delete(string name)
        {
            string path = PathOf(name);
            if (files.Exists(path + PendingSuffix))
            {
                files.Delete(path + PendingSuffix);
            }
            if (files.Exists(path))
            {
                files.Delete(path);
            }
        }
    }
}
