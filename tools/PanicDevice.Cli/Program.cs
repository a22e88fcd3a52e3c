using PanicDevice.Cli;

// panicctl: provisioning, simulation and test tool. `panicctl --help` lists the commands.
return await CliApp.RunAsync(args, Console.Out, Console.Error);
