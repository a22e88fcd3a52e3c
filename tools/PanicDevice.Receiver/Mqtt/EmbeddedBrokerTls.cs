using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace PanicDevice.Receiver.Mqtt;

/// <summary>The embedded broker's TLS endpoint: its port and its certificate (with private key).</summary>
internal sealed record EmbeddedBrokerTls(int Port, X509Certificate2 Certificate)
{
    /// <summary>
    /// The TLS endpoint the options ask for (--mqtt-cert, --mqtt-cert-password, --mqtt-tls-port), or null
    /// when no certificate is configured. A certificate that cannot be used stops start-up with one
    /// sentence that names the option, never the password.
    /// </summary>
    public static EmbeddedBrokerTls? From(ReceiverOptions options)
    {
        if (options.MqttCert == null)
        {
            return null;
        }
        X509Certificate2 cert;
        try
        {
            cert = X509CertificateLoader.LoadPkcs12FromFile(options.MqttCert, options.MqttCertPassword);
        }
        catch (CryptographicException)
        {
            throw Invalid("--mqtt-cert could not be opened: not a PFX file, or --mqtt-cert-password is wrong");
        }
        if (!cert.HasPrivateKey)
        {
            cert.Dispose();
            throw Invalid("--mqtt-cert must contain the certificate's private key (a PFX exported with it)");
        }
        return new EmbeddedBrokerTls(options.MqttTlsPort, cert);
    }

    private static OptionsValidationException Invalid(string problem) =>
        new("Receiver", typeof(ReceiverOptions), new[] { problem });
}
