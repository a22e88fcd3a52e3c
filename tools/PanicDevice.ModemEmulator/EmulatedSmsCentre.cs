using System.Text;
using PanicDevice.Core.Sms;

namespace PanicDevice.ModemEmulator;

/// <summary>
/// The module's SMS and the network behind it: AT+CMGF, AT+CMGS in text mode (at most 160 characters) or PDU mode
/// (decoded, concatenated parts joined), the network's delay, refusals on demand (+CMS ERROR), and every SMS that
/// got through recorded once, whole, in <see cref="Sim800Emulator.Sms"/>.
/// </summary>
internal sealed class EmulatedSmsCentre : IEmulatedDataReceiver
{
    private readonly Sim800Emulator module;
    private readonly List<SmsSubmit> pduParts = new();
    private readonly List<byte> data = new();
    private int cmgf;
    private bool pduMode;
    private string number = "";
    private int pduLength;
    private int reference;

    public EmulatedSmsCentre(Sim800Emulator module) => this.module = module;

    /// <summary>Settings and state the module forgets when it restarts.</summary>
    public void ResetModuleState()
    {
        cmgf = 0;
        pduParts.Clear();
    }

    /// <summary>The SMS commands; false for any other.</summary>
    public bool Execute(string body, string raw)
    {
        if (body == "+CMGF=0" || body == "+CMGF=1")
        {
            cmgf = body[6] - '0';
            module.Ok();
            return true;
        }
        if (body.StartsWith("+CSMP=", StringComparison.Ordinal))
        {
            module.Ok();
            return true;
        }
        if (!body.StartsWith("+CMGS=", StringComparison.Ordinal))
        {
            return false;
        }
        data.Clear();
        if (cmgf == 1)
        {
            number = raw[6..].Trim('"');
            pduMode = false;
        }
        else if (int.TryParse(body[6..], out pduLength))
        {
            pduMode = true;
        }
        else
        {
            module.Error();
            return true;
        }
        module.PromptForData(this);
        return true;
    }

    /// <summary>The message after the prompt: Ctrl-Z sends it, ESC cancels it.</summary>
    public bool Take(byte b)
    {
        if (b == 0x1B)
        {
            module.EndDataMode();
            module.Ok(); // ESC cancels the message
            return false;
        }
        if (b != 0x1A)
        {
            if (data.Count < 2000) data.Add(b);
            return true;
        }
        module.EndDataMode();
        Accept(Encoding.ASCII.GetString(data.ToArray()));
        return false;
    }

    private void Accept(string body)
    {
        var faults = module.Faults;
        if (!module.Registered)
        {
            module.After(1000, () => module.CmsError(331)); // no network service
            return;
        }
        if (faults.SmsFailures > 0)
        {
            faults.SmsFailures--;
            module.After(1500, () => module.CmsError(500));
            return;
        }
        if (!pduMode)
        {
            if (body.Length > 160)
            {
                module.CmsError(304); // invalid text mode parameter: one text-mode SMS is at most 160 characters
                return;
            }
            RecordAfterNetwork(new EmulatedSms(number, body, "text", 1, module.Now));
            return;
        }
        var part = SmsPduDecoder.Decode(body);
        if (part == null || body.Length / 2 - 1 != pduLength)
        {
            module.CmsError(304);
            return;
        }
        EmulatedSms? whole = null;
        if (!part.IsConcatenated)
        {
            whole = new EmulatedSms(part.Number, part.Text, "pdu", 1, module.Now);
        }
        else
        {
            pduParts.Add(part);
            var set = pduParts.Where(p => p.Number == part.Number && p.ConcatReference == part.ConcatReference).ToArray();
            string? text = set.Length == part.PartCount ? SmsPduDecoder.Join(set) : null;
            if (text != null)
            {
                pduParts.RemoveAll(p => set.Contains(p));
                whole = new EmulatedSms(part.Number, text, "pdu", part.PartCount, module.Now);
            }
        }
        RecordAfterNetwork(whole);
    }

    /// <summary>The network takes a moment; then the SMS (a whole one; none for a part still waiting for the rest) is recorded and +CMGS answers.</summary>
    private void RecordAfterNetwork(EmulatedSms? sms)
    {
        int r = ++reference;
        module.After(1500 + module.Faults.RoundTripMs, () =>
        {
            if (sms != null) module.Sms.Add(sms with { AtMs = module.Now });
            module.Emit("+CMGS: " + r);
            module.Ok();
        });
    }
}
