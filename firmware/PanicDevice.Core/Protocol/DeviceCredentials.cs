using System;
using System.Text;

namespace PanicDevice.Core.Protocol
{
    /// <summary>
    /// The MQTT password a device presents: derived from its key, so the key itself never crosses the
    /// network and a leaked broker password does not reveal the signing key (HMAC is one-way).
    /// </summary>
    public static class DeviceCredentials
    {
        /// <summary>Domain-separation label: the same key signs frames, so the derivation input differs from any frame.</summary>
        public const string MqttPasswordLabel = "PanicDevice MQTT password v1";

        /// <summary>Base64 of the first 24 bytes of HMAC-SHA256(key, label): 32 characters.</summary>
        public static string MqttPassword(byte[] key)
        {
            if (key == null || key.Length != FrameCodec.KeyLength)
            {
                throw new ArgumentException("device key must be " + FrameCodec.KeyLength.ToString() + " bytes");
            }
            byte[] label = Encoding.UTF8.GetBytes(MqttPasswordLabel);
            byte[] mac = FrameSigner.ComputeTag(key, label, label.Length);
            return Convert.ToBase64String(mac, 0, 24);
        }
    }
}
