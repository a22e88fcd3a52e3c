namespace PanicDevice.Core.Protocol
{
    /// <summary>Why a byte string was, or was not, accepted as a frame.</summary>
    public enum DecodeStatus
    {
        /// <summary>A well-formed frame (its tag is checked separately, once the device's key is known).</summary>
        Ok = 0,
        /// <summary>No bytes at all.</summary>
        Empty,
        /// <summary>Longer than any frame can be; rejected before parsing.</summary>
        TooLong,
        /// <summary>The first byte is not a protocol version this code understands.</summary>
        UnknownVersion,
        /// <summary>Fewer bytes than the frame's own header says it has.</summary>
        Truncated,
        /// <summary>More bytes than the frame's own header says it has.</summary>
        BadLength,
        /// <summary>The kind byte is not a defined message kind.</summary>
        UnknownKind,
        /// <summary>The device id is empty, too long or has characters outside [A-Za-z0-9._-].</summary>
        BadDeviceId,
        /// <summary>A field is outside its defined range (see Detail).</summary>
        BadField,
        /// <summary>The HMAC tag does not match the device's key.</summary>
        BadTag,
        /// <summary>The SMS text form is not "PD1:" followed by base64.</summary>
        BadText,
    }

    /// <summary>The result of decoding: a status, a human-readable detail, and the frame when Ok.</summary>
    public class DecodeResult
    {
        /// <summary>Ok, or the first reason the input was rejected.</summary>
        public readonly DecodeStatus Status;
        /// <summary>One sentence naming the field or limit at fault; never contains key material.</summary>
        public readonly string Detail;
        /// <summary>The decoded frame; null unless Status is Ok.</summary>
        public readonly Frame Frame;

        /// <summary>Creates a result.</summary>
        public DecodeResult(DecodeStatus status, string detail, Frame frame)
        {
            Status = status;
            Detail = detail;
            Frame = frame;
        }

        /// <summary>True when the input decoded to a frame.</summary>
        public bool IsOk
        {
            get { return Status == DecodeStatus.Ok; }
        }

        internal static DecodeResult Fail(DecodeStatus status, string detail)
        {
            return new DecodeResult(status, detail, null);
        }
    }
}
