namespace PanicDevice.Core.Storage
{
    /// <summary>
    /// Small named-record storage (a file per record on the device's internal flash drive I:\).
    /// A write may be torn by power loss: callers that need atomicity keep two slots and a
    /// checksum (see <see cref="PanicDevice.Core.Counter.MonotonicCounter"/>).
    /// </summary>
    public interface IRecordStore
    {
        /// <summary>Returns the record's bytes, or null when it does not exist.</summary>
        byte[] Read(string name);

        /// <summary>Replaces the record's bytes. May be torn by power loss.</summary>
        void Write(string name, byte[] data);

        /// <summary>Removes the record if it exists.</summary>
        void Delete(string name);
    }
}
