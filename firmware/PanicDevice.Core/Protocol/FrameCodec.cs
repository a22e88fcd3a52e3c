using System;
using PanicDevice.Core.Storage;

namespace PanicDevice.Core.Protocol
{
    /// <summary>
    /// The one wire format (docs/protocol.md): encode and sign, decode without throwing, verify the tag.
    /// Big-endian integers; the HMAC-SHA256 tag (all 32 bytes) covers every byte before it.
    /// </summary>
    public static class FrameCodec
    {
        /// <summary>The only protocol version this code writes and reads.</summary>
        public const byte Version = 1;
        /// <summary>Length of the per-device HMAC key in bytes.</summary>
        public const int KeyLength = 32;
        /// <summary>Length of the HMAC-SHA256 tag in bytes (not truncated).</summary>
        public const int TagLength = 32;
        /// <summary>Longest device id in characters (<see cref="DeviceIds"/> holds the rule).</summary>
        public const int MaxDeviceIdLength = DeviceIds.MaxLength;

        // version, kind, id length
        private const int HeaderLength = 3;
        // counter 4, code 1, time 4, lat 4, lon 4, accuracy 2, fix age 2, source 1, battery 1, signal 1, flags 1
        private const int FieldsLength = 25;

        /// <summary>Frame length with the shortest id.</summary>
        public const int MinFrameLength = HeaderLength + 1 + FieldsLength + TagLength;
        /// <summary>Frame length with the longest id; longer input is rejected unparsed.</summary>
        public const int MaxFrameLength = HeaderLength + MaxDeviceIdLength + FieldsLength + TagLength;

        /// <summary>Total length of a frame for a device id of the given length.</summary>
        public static int FrameLength(int deviceIdLength)
        {
            return HeaderLength + deviceIdLength + FieldsLength + TagLength;
        }

        /// <summary>Encodes and signs a frame. Throws ArgumentException for a frame that could never decode.</summary>
        public static byte[] Encode(Frame frame, byte[] key)
        {
            CheckKey(key);
            string problem = Validate(frame);
            if (problem != null)
            {
                throw new ArgumentException(problem);
            }

            int idLength = frame.DeviceId.Length;
            byte[] output = new byte[FrameLength(idLength)];
            int p = 0;
            output[p++] = Version;
            output[p++] = (byte)frame.Kind;
            output[p++] = (byte)idLength;
            for (int i = 0; i < idLength; i++)
            {
                output[p++] = (byte)frame.DeviceId[i];
            }
            p = BigEndian.WriteUInt32(output, p, frame.Counter);
            output[p++] = frame.Code;
            p = BigEndian.WriteUInt32(output, p, frame.TimeUtcSeconds);
            // A Resync carries no position: its two 4-byte position fields hold the next counter and the answered tag.
            bool resync = frame.Kind == MessageKind.Resync;
            p = BigEndian.WriteUInt32(output, p, resync ? frame.NextCounter : (uint)frame.LatitudeE7);
            p = BigEndian.WriteUInt32(output, p, resync ? frame.AnsweredTag : (uint)frame.LongitudeE7);
            p = BigEndian.WriteUInt16(output, p, frame.AccuracyM);
            p = BigEndian.WriteUInt16(output, p, frame.FixAgeS);
            output[p++] = (byte)frame.Source;
            output[p++] = frame.BatteryPercent;
            output[p++] = (byte)frame.SignalDbm;
            output[p++] = frame.Flags;

            byte[] tag = FrameSigner.ComputeTag(key, output, p);
            Array.Copy(tag, 0, output, p, TagLength);
            return output;
        }

        /// <summary>
        /// Parses a frame without checking its tag (the receiver needs the device id to find the key).
        /// Never throws: any input yields a result with a reason.
        /// </summary>
        public static DecodeResult Decode(byte[] data)
        {
            if (data == null || data.Length == 0)
            {
                return DecodeResult.Fail(DecodeStatus.Empty, "no bytes");
            }
            if (data.Length > MaxFrameLength)
            {
                return DecodeResult.Fail(DecodeStatus.TooLong, "frame longer than " + MaxFrameLength.ToString() + " bytes");
            }
            if (data[0] != Version)
            {
                return DecodeResult.Fail(DecodeStatus.UnknownVersion, "version " + data[0].ToString() + " is not supported");
            }
            if (data.Length < HeaderLength)
            {
                return DecodeResult.Fail(DecodeStatus.Truncated, "header incomplete");
            }
            int idLength = data[2];
            if (idLength < 1 || idLength > MaxDeviceIdLength)
            {
                return DecodeResult.Fail(DecodeStatus.BadDeviceId, "device id length " + idLength.ToString() + " is outside 1.." + MaxDeviceIdLength.ToString());
            }
            int expected = FrameLength(idLength);
            if (data.Length < expected)
            {
                return DecodeResult.Fail(DecodeStatus.Truncated, "frame has " + data.Length.ToString() + " bytes, header says " + expected.ToString());
            }
            if (data.Length > expected)
            {
                return DecodeResult.Fail(DecodeStatus.BadLength, "frame has " + data.Length.ToString() + " bytes, header says " + expected.ToString());
            }
            byte kind = data[1];
            if (!IsKnownKind(kind))
            {
                return DecodeResult.Fail(DecodeStatus.UnknownKind, "kind 0x" + kind.ToString("X2") + " is not defined");
            }

            char[] id = new char[idLength];
            for (int i = 0; i < idLength; i++)
            {
                byte b = data[HeaderLength + i];
                if (!DeviceIds.IsIdChar((char)b))
                {
                    return DecodeResult.Fail(DecodeStatus.BadDeviceId, "device id has a byte outside [A-Za-z0-9._-] at offset " + (HeaderLength + i).ToString());
                }
                id[i] = (char)b;
            }

            Frame f = new Frame();
            f.Kind = (MessageKind)kind;
            f.DeviceId = new string(id);
            int p = HeaderLength + idLength;
            f.Counter = BigEndian.ReadUInt32(data, p); p += 4;
            f.Code = data[p++];
            f.TimeUtcSeconds = BigEndian.ReadUInt32(data, p); p += 4;
            f.LatitudeE7 = (int)BigEndian.ReadUInt32(data, p); p += 4;
            f.LongitudeE7 = (int)BigEndian.ReadUInt32(data, p); p += 4;
            f.AccuracyM = BigEndian.ReadUInt16(data, p); p += 2;
            f.FixAgeS = BigEndian.ReadUInt16(data, p); p += 2;
            f.Source = (LocationSource)data[p++];
            f.BatteryPercent = data[p++];
            f.SignalDbm = (sbyte)data[p++];
            f.Flags = data[p];
            if (f.Kind == MessageKind.Resync)
            {
                f.NextCounter = (uint)f.LatitudeE7;
                f.AnsweredTag = (uint)f.LongitudeE7;
                f.LatitudeE7 = 0;
                f.LongitudeE7 = 0;
            }

            string problem = ValidateFields(f);
            if (problem != null)
            {
                return DecodeResult.Fail(DecodeStatus.BadField, problem);
            }
            return new DecodeResult(DecodeStatus.Ok, "ok", f);
        }

        /// <summary>
        /// True when the frame's tag matches the key. The comparison takes the same time wherever the
        /// first difference is, so a forger learns nothing from timing. False for any malformed input.
        /// </summary>
        public static bool VerifyTag(byte[] data, byte[] key)
        {
            if (data == null || key == null || key.Length != KeyLength)
            {
                return false;
            }
            if (data.Length < MinFrameLength || data.Length > MaxFrameLength || data.Length != FrameLength(data[2]))
            {
                return false;
            }
            int signedLength = data.Length - TagLength;
            byte[] expected = FrameSigner.ComputeTag(key, data, signedLength);
            return TagComparer.FixedTimeEquals(expected, 0, data, signedLength, TagLength);
        }

        /// <summary>
        /// The first 4 bytes of an encoded frame's tag, big-endian: what a Resync names (<see cref="Frame.AnsweredTag"/>)
        /// so that its answer is bound to the bytes of one frame, not only to a counter.
        /// </summary>
        public static uint TagPrefix(byte[] frame)
        {
            if (frame == null || frame.Length < MinFrameLength)
            {
                throw new ArgumentException("not an encoded frame");
            }
            return BigEndian.ReadUInt32(frame, frame.Length - TagLength);
        }

        /// <summary>Decodes, then verifies the tag: the single call a device uses on acknowledgements.</summary>
        public static DecodeResult DecodeAndVerify(byte[] data, byte[] key)
        {
            DecodeResult result = Decode(data);
            if (!result.IsOk)
            {
                return result;
            }
            if (!VerifyTag(data, key))
            {
                return DecodeResult.Fail(DecodeStatus.BadTag, "tag does not match the device key");
            }
            return result;
        }

        /// <summary>Returns the first reason the frame cannot be encoded, or null.</summary>
        public static string Validate(Frame frame)
        {
            if (frame == null)
            {
                return "frame is null";
            }
            if (!IsKnownKind((byte)frame.Kind))
            {
                return "kind is not defined";
            }
            // The wire's part of the rule: a receiver still answers devices named before ids of dots only were refused.
            string idProblem = DeviceIds.WireProblem(frame.DeviceId);
            if (idProblem != null)
            {
                return "device id " + idProblem;
            }
            return ValidateFields(frame);
        }

        /// <summary>True for a byte allowed in a device id (<see cref="DeviceIds.IsIdChar"/>).</summary>
        public static bool IsDeviceIdChar(byte b)
        {
            return DeviceIds.IsIdChar((char)b);
        }

        private static string ValidateFields(Frame f)
        {
            if (f.Kind == MessageKind.Resync)
            {
                if (f.Source != LocationSource.None || f.LatitudeE7 != 0 || f.LongitudeE7 != 0)
                {
                    return "a Resync frame carries no position";
                }
                if (f.NextCounter <= f.Counter)
                {
                    return "next counter must be above the refused counter";
                }
            }
            else if (f.NextCounter != 0 || f.AnsweredTag != 0)
            {
                return "next counter and answered tag belong to Resync frames only";
            }
            if (f.LatitudeE7 < -900000000 || f.LatitudeE7 > 900000000)
            {
                return "latitude outside ±90°";
            }
            if (f.LongitudeE7 < -1800000000 || f.LongitudeE7 > 1800000000)
            {
                return "longitude outside ±180°";
            }
            if ((byte)f.Source > (byte)LocationSource.FixedAddress)
            {
                return "location source " + ((byte)f.Source).ToString() + " is not defined";
            }
            if (f.Source == LocationSource.None && (f.LatitudeE7 != 0 || f.LongitudeE7 != 0))
            {
                // One meaning per frame: a position without a source would be guessed at by someone.
                return "position given with location source None";
            }
            if (f.BatteryPercent > 100 && f.BatteryPercent != Frame.UnknownBattery)
            {
                return "battery above 100 %";
            }
            if (f.SignalDbm > 0)
            {
                return "signal strength above 0 dBm";
            }
            if ((f.Flags & ~FrameFlags.All) != 0)
            {
                return "undefined flag bits set";
            }
            return ValidateCode(f.Kind, f.Code);
        }

        private static string ValidateCode(MessageKind kind, byte code)
        {
            switch (kind)
            {
                case MessageKind.Alert:
                case MessageKind.Update:
                    if (code == (byte)AlertCode.Panic || code == (byte)AlertCode.HoldUp || code == (byte)AlertCode.Test || code == (byte)AlertCode.ButtonFault)
                    {
                        return null;
                    }
                    return "code " + code.ToString() + " is not an alert code";
                case MessageKind.Cancel:
                    if (code == (byte)AlertCode.Cancel || code == (byte)AlertCode.DuressCancel)
                    {
                        return null;
                    }
                    return "code " + code.ToString() + " is not a cancel code";
                case MessageKind.Heartbeat:
                    return code == (byte)AlertCode.None ? null : "heartbeat code must be 0";
                case MessageKind.Call:
                    return CallReport.Problem(code);
                case MessageKind.Ack:
                    return code == (byte)AlertStatus.Received ? null : "acknowledgement code must be Received";
                case MessageKind.Status:
                    if (code >= (byte)AlertStatus.Received && code <= (byte)AlertStatus.OperatorAcknowledged)
                    {
                        return null;
                    }
                    return "code " + code.ToString() + " is not an alert status";
                case MessageKind.Resync:
                    if (code == (byte)CounterProblem.Reused || code == (byte)CounterProblem.TooOld)
                    {
                        return null;
                    }
                    return "code " + code.ToString() + " is not a counter problem";
            }
            return "kind is not defined";
        }

        private static bool IsKnownKind(byte kind)
        {
            return kind == (byte)MessageKind.Alert || kind == (byte)MessageKind.Update || kind == (byte)MessageKind.Cancel
                || kind == (byte)MessageKind.Heartbeat || kind == (byte)MessageKind.Call || kind == (byte)MessageKind.Ack || kind == (byte)MessageKind.Status
                || kind == (byte)MessageKind.Resync;
        }

        private static void CheckKey(byte[] key)
        {
            if (key == null || key.Length != KeyLength)
            {
                // The message names the rule, never the key.
                throw new ArgumentException("device key must be " + KeyLength.ToString() + " bytes");
            }
        }
    }
}
