using System.Runtime.CompilerServices;

// The AT line reader and command channel, the SIM800 reply parsers and the MQTT packet reader and writer are the
// driver's and the session's insides, not an API: internal, and open only to the tests (host and nanoFramework's
// NFUnitTest), the benchmark's fuzz targets and panicctl's modem check, which drive them directly.
[assembly: InternalsVisibleTo("PanicDevice.Tests")]
[assembly: InternalsVisibleTo("NFUnitTest")]
[assembly: InternalsVisibleTo("PanicDevice.Bench")]
[assembly: InternalsVisibleTo("panicctl")]
