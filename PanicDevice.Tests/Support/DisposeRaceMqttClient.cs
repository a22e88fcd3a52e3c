using System.Reflection;
using System.Runtime.ExceptionServices;
using MQTTnet;

namespace PanicDevice.Tests.Support;

/// <summary>
/// A real MQTTnet client whose <c>Dispose</c> tears the client down and then throws what MQTTnet 5.2's does when it
/// races the client's own clean-up after a lost connection ("The CancellationTokenSource has been disposed."), caught
/// in a dump of a stalled crash bench. The race itself is a matter of microseconds; this makes its outcome certain.
/// </summary>
public class DisposeRaceMqttClient : DispatchProxy
{
    private IMqttClient real = null!;

    /// <summary>How many times Dispose threw.</summary>
    public int Throws;

    public static IMqttClient Create()
    {
        IMqttClient proxy = Create<IMqttClient, DisposeRaceMqttClient>();
        ((DisposeRaceMqttClient)(object)proxy).real = new MqttClientFactory().CreateMqttClient();
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        object? result = null;
        try
        {
            result = targetMethod!.Invoke(real, args);
        }
        catch (TargetInvocationException e) when (e.InnerException != null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
        }
        if (targetMethod.Name == nameof(IDisposable.Dispose))
        {
            Interlocked.Increment(ref Throws);
            throw new ObjectDisposedException(null, "The CancellationTokenSource has been disposed.");
        }
        return result;
    }
}
