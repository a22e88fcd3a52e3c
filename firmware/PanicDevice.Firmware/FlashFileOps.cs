using System.IO;
using PanicDevice.Core.Storage;

namespace PanicDevice.Firmware
{
    /// <summary>Core's file seam over nanoFramework System.IO.File on the LittleFS drive I:\.</summary>
    internal sealed class FlashFileOps : IFileOps
    {
        public bool Exists(string path)
        {
            return File.Exists(path);
        }

        public byte[] ReadAllBytes(string path)
        {
            return File.ReadAllBytes(path);
        }

        public void WriteAllBytes(string path, byte[] data)
        {
            File.WriteAllBytes(path, data);
        }

        public void Delete(string path)
        {
            File.Delete(path);
        }

        public void Move(string from, string to)
        {
            File.Move(from, to);
        }
    }
}
