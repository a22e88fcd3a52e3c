namespace PanicDevice.ModemEmulator;

/// <summary>
/// The AT commands as the module dispatches them: faults injected by prefix first, then the module's own commands
/// (echo, errors, SIM, registration, signal, clock, reset, the SAPBR bearer and cell location), then the TCP bridge's and
/// the SMS centre's; anything else is ERROR, as on the module.
/// </summary>
internal sealed class Sim800CommandTable
{
    private readonly Sim800Emulator module;
    private readonly EmulatedTcpBridge tcp;
    private readonly EmulatedSmsCentre sms;
    private readonly EmulatedVoice voice;
    private bool clts;
    private bool bearerOpen;

    public Sim800CommandTable(Sim800Emulator module, EmulatedTcpBridge tcp, EmulatedSmsCentre sms, EmulatedVoice voice)
    {
        this.module = module;
        this.tcp = tcp;
        this.sms = sms;
        this.voice = voice;
    }

    /// <summary>Settings the module forgets when it restarts.</summary>
    public void ResetModuleState()
    {
        clts = false;
        bearerOpen = false;
    }

    public void Execute(string command)
    {
        string upper = command.ToUpperInvariant();
        if (!upper.StartsWith("AT", StringComparison.Ordinal))
        {
            module.Error();
            return;
        }
        if (InjectedCmeError(upper))
        {
            return;
        }
        string body = upper[2..];
        string raw = command[2..];
        if (voice.Current is { Up: true } && body.StartsWith("+CIP", StringComparison.Ordinal))
        {
            // A SIM800 suspends GPRS during a call; the driver must keep data commands off the module until it ends.
            module.DataCommandsDuringCalls++;
        }
        if (ExecuteModuleCommand(body) || tcp.Execute(body, raw) || sms.Execute(body, raw) || voice.Execute(body, raw))
        {
            return;
        }
        module.Error();
    }

    private bool InjectedCmeError(string command)
    {
        var errors = module.Faults.CmeErrors;
        foreach (var (prefix, count) in errors)
        {
            if (count > 0 && command.StartsWith(prefix, StringComparison.Ordinal))
            {
                errors[prefix] = count - 1;
                module.CmeError(100, "unknown");
                return true;
            }
        }
        return false;
    }

    private bool ExecuteModuleCommand(string body)
    {
        var faults = module.Faults;
        switch (body)
        {
            case "":
                module.Ok();
                return true;
            case "E0":
                module.Echo = false;
                module.Ok();
                return true;
            case "E1":
                module.Echo = true;
                module.Ok();
                return true;
            case "+CPIN?":
                if (faults.NoSim)
                    module.CmeError(10, "SIM not inserted");
                else
                {
                    module.Emit("+CPIN: READY");
                    module.Ok();
                }
                return true;
            case "+CREG?":
            case "+CGREG?":
                int stat = faults.NoSim ? 0 : module.Registered ? 1 : 2;
                module.Emit((body == "+CREG?" ? "+CREG: 0," : "+CGREG: 0,") + stat);
                module.Ok();
                return true;
            case "+CSQ":
                module.Emit(module.Registered ? "+CSQ: 18,0" : "+CSQ: 99,99");
                module.Ok();
                return true;
            case "+CCLK?":
                module.Emit("+CCLK: \"" + Clock() + "\"");
                module.Ok();
                return true;
            case "+CFUN=1,1":
                module.Ok();
                module.After(100, module.Restart);
                return true;
            case "+SAPBR=1,1":
                if (bearerOpen || !module.Registered)
                {
                    module.Error();
                    return true;
                }
                module.After(500 + faults.RoundTripMs, () =>
                {
                    bearerOpen = true;
                    module.Ok();
                });
                return true;
            case "+CIPGSMLOC=1,1":
                if (!bearerOpen)
                {
                    module.Error();
                    return true;
                }
                module.After(1000 + faults.RoundTripMs, () =>
                {
                    module.Emit(module.CellPosition is { } p
                        ? "+CIPGSMLOC: 0," + p.Lon + "," + p.Lat + "," + module.NetworkTime.ToString("yyyy/MM/dd,HH:mm:ss")
                        : "+CIPGSMLOC: 601");
                    module.Ok();
                });
                return true;
        }
        if (body.StartsWith("+CMEE=", StringComparison.Ordinal) && int.TryParse(body[6..], out int level) && level is >= 0 and <= 2)
        {
            module.Cmee = level;
            module.Ok();
            return true;
        }
        if (body == "+CLTS=1" || body == "+CLTS=0")
        {
            clts = body.EndsWith('1');
            module.Ok();
            return true;
        }
        if (body.StartsWith("+CSCS=", StringComparison.Ordinal) || body.StartsWith("+SAPBR=3,1,", StringComparison.Ordinal) || body.StartsWith("+CFUN=", StringComparison.Ordinal))
        {
            module.Ok();
            return true;
        }
        return false;
    }

    private string Clock()
    {
        if (!clts || !module.Registered)
        {
            return "04/01/01,00:00:12+00"; // the module's own start time: never set from the network
        }
        var local = module.NetworkTime.ToOffset(TimeSpan.FromHours(7));
        return local.ToString("yy/MM/dd,HH:mm:ss") + "+28";
    }
}
