using Microsoft.Extensions.Options;
using PanicDevice.Receiver;

// Exit codes: ReceiverCommandLine (documented in docs/receiver.md, "Command line"). Every failure the user can fix is
// one line naming what to change, not a stack trace.
if (ReceiverCommandLine.WantsHelp(args))
{
    Console.Out.Write(ReceiverCommandLine.Usage());
    return ReceiverCommandLine.Stopped;
}
if (ReceiverCommandLine.Problem(args) is { } problem)
{
    Console.Error.WriteLine("panicdevice-receiver: " + problem);
    return ReceiverCommandLine.BadCommandLine;
}
try
{
    var app = ReceiverApp.Build(args);
    app.Run();
}
catch (OptionsValidationException e)
{
    Console.Error.WriteLine("panicdevice-receiver: " + string.Join("; ", e.Failures));
    return ReceiverCommandLine.BadCommandLine;
}
catch (PanicDevice.Receiver.Storage.StoreUnavailableException e)
{
    Console.Error.WriteLine("panicdevice-receiver: " + e.Message);
    return ReceiverCommandLine.StoreUnavailable;
}
catch (PanicDevice.Receiver.Registry.KeyFileException e)
{
    Console.Error.WriteLine("panicdevice-receiver: " + e.Message);
    return ReceiverCommandLine.KeyFile;
}
catch (Exception e) when (PortProblem(e) is { } port)
{
    Console.Error.WriteLine("panicdevice-receiver: " + port);
    return ReceiverCommandLine.PortInUse;
}
return ReceiverCommandLine.Stopped;

// The broker's own exception, or Kestrel's "Failed to bind to address http://…: address already in use."
static string? PortProblem(Exception e)
{
    for (Exception? x = e; x != null; x = x is AggregateException a && a.InnerExceptions.Count == 1 ? a.InnerException : x.InnerException)
    {
        if (x is PanicDevice.Receiver.Mqtt.PortInUseException p)
        {
            return p.Message;
        }
        if (x is IOException && x.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            return x.Message.TrimEnd('.') + " (--urls): stop the program using it, or choose another address with --urls";
        }
    }
    return null;
}
