namespace PanicDevice.Core.Storage
{
    /// <summary>
    /// The few file operations a record store needs, as nanoFramework's System.IO.File offers them on the
    /// device's I:\ drive: Move refuses an existing destination, so a replace is delete-then-move.
    /// </summary>
    public interface IFileOps
    {
        /// <summary>True when the file exists.</summary>
        bool Exists(string path);

        /// <summary>The whole file.</summary>
        byte[] ReadAllBytes(string path);

        /// <summary>Creates or truncates the file and writes the bytes.</summary>
        void WriteAllBytes(string path, byte[] data);

        /// <summary>Removes the file (no error when it is missing).</summary>
        void Delete(string path);

        /// <summary>Renames a file; the destination must not exist.</summary>
        void Move(string from, string to);
    }
}
