using Microsoft.Extensions.Options;
using PanicDevice.Receiver;

try
{
    var app = ReceiverApp.Build(args);
    app.Run();
}
catch (OptionsValidationException e)
{
    // One line with the fix, not a stack trace.
    Console.Error.WriteLine("panicdevice-receiver: " + string.Join("; ", e.Failures));
    return 2;
}
catch (PanicDevice.Receiver.Storage.StoreUnavailableException e)
{
    Console.Error.WriteLine("panicdevice-receiver: " + e.Message);
    return 3;
}
catch (PanicDevice.Receiver.Registry.KeyFileException e)
{
    Console.Error.WriteLine("panicdevice-receiver: " + e.Message);
    return 4;
}
return 0;
