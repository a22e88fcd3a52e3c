namespace PanicDevice.ModemEmulator;

/// <summary>What a phone the emulated network can call does with a call.</summary>
public enum PhoneAnswer
{
    /// <summary>Rings, is answered after <see cref="EmulatedPhone.AnswerAfterMs"/>, presses <see cref="EmulatedPhone.Keys"/>.</summary>
    Answers,
    /// <summary>The line is busy.</summary>
    Busy,
    /// <summary>Rings until the network gives up (NO ANSWER after 60 s) or the caller hangs up.</summary>
    NoAnswer,
    /// <summary>A voicemail: answers, plays its greeting, never presses a key, hangs up after a minute.</summary>
    Voicemail,
    /// <summary>Switched off or out of coverage: the network ends the call at once (NO CARRIER).</summary>
    Unreachable,
}

/// <summary>A phone on the emulated network and how it takes calls; <see cref="Sim800Emulator.Phones"/> holds them by number.</summary>
public sealed class EmulatedPhone
{
    public PhoneAnswer Answer { get; set; } = PhoneAnswer.Answers;
    /// <summary>Ringing time before the phone is picked up (Answers, Voicemail).</summary>
    public int AnswerAfterMs { get; set; } = 4000;
    /// <summary>DTMF keys pressed once answered, in order, one every second from <see cref="KeysAfterMs"/>.</summary>
    public string Keys { get; set; } = "";
    /// <summary>When the first key is pressed, after the answer.</summary>
    public int KeysAfterMs { get; set; } = 3000;
    /// <summary>The person hangs up this long after answering; -1 never (the device ends the call).</summary>
    public int HangUpAfterMs { get; set; } = -1;
}

/// <summary>A call the emulated module placed or took, as the network saw it.</summary>
public sealed class EmulatedCall
{
    public required string Number { get; init; }
    public required bool Outgoing { get; init; }
    public long PlacedAtMs { get; init; }
    public long? AnsweredAtMs { get; set; }
    public long? EndedAtMs { get; set; }
    /// <summary>hung-up (the device), remote, busy, no-answer, unreachable, refused, dropped (network), module-off, rejected (by the device, ringing in), caller-gave-up.</summary>
    public string? EndedBy { get; set; }
    /// <summary>The speaker level (AT+CLVL) when the call was answered: 0 means the device said nothing.</summary>
    public int SpeakerLevel { get; set; }
    /// <summary>Keys the far end pressed.</summary>
    public string KeysPressed { get; set; } = "";
    public bool Up => AnsweredAtMs != null && EndedAtMs == null;
    public override string ToString() =>
        (Outgoing ? "call to " : "call from ") + Number + (AnsweredAtMs is { } a ? " answered at " + a + " ms" : " not answered")
        + (KeysPressed.Length > 0 ? ", keys " + KeysPressed : "") + (EndedBy != null ? ", ended by " + EndedBy + " at " + EndedAtMs + " ms" : ", up");
}

/// <summary>
/// The module's voice side and the phone network behind it: ATD…;, ATA, ATH, caller id (+CLIP), call state reports
/// (+CLCC), DTMF detection (+DTMF), the ringer and audio levels; phones that answer, are busy, never answer, are a voicemail
/// or unreachable; calls ringing in; a network that drops a call. One call at a time, as the device uses it.
/// </summary>
internal sealed class EmulatedVoice
{
    private readonly Sim800Emulator module;
    private bool clip;
    private bool clcc;
    private bool ddet;
    private int speaker = 50;
    private EmulatedCall? call;
    private int generation;

    public EmulatedVoice(Sim800Emulator module) => this.module = module;

    public EmulatedCall? Current => call is { EndedAtMs: null } ? call : null;

    public int RingerLevel { get; private set; } = 50;

    public void ResetModuleState()
    {
        clip = false;
        clcc = false;
        ddet = false;
        speaker = 50;
        RingerLevel = 50;
    }

    /// <summary>The module lost power or restarted: any call is gone.</summary>
    public void ModuleOff() => End("module-off", report: false);

    public bool Execute(string body, string raw)
    {
        switch (body)
        {
            case "+CLIP=1" or "+CLIP=0":
                clip = body.EndsWith('1');
                module.Ok();
                return true;
            case "+CLCC=1" or "+CLCC=0":
                clcc = body.EndsWith('1');
                module.Ok();
                return true;
            case "A":
                Answer();
                return true;
            case "H" or "H0":
                module.Ok();
                if (call is { EndedAtMs: null } c)
                {
                    End(c.Outgoing || c.AnsweredAtMs != null ? "hung-up" : "rejected", report: true);
                }
                return true;
        }
        if (body.StartsWith("+DDET=", StringComparison.Ordinal))
        {
            ddet = body[6] == '1';
            module.Ok();
            return true;
        }
        if (body.StartsWith("+CRSL=", StringComparison.Ordinal) && int.TryParse(body[6..], out int ringer) && ringer is >= 0 and <= 100)
        {
            RingerLevel = ringer;
            module.Ok();
            return true;
        }
        if (body.StartsWith("+CMIC=", StringComparison.Ordinal))
        {
            module.Ok();
            return true;
        }
        if (body.StartsWith("+CLVL=", StringComparison.Ordinal) && int.TryParse(body[6..], out int level) && level is >= 0 and <= 100)
        {
            speaker = level;
            if (call is { EndedAtMs: null } up && up.AnsweredAtMs != null)
            {
                up.SpeakerLevel = level;
            }
            module.Ok();
            return true;
        }
        if (body.StartsWith('D') && body.EndsWith(';'))
        {
            Dial(raw[1..^1]);
            return true;
        }
        return false;
    }

    private void Dial(string number)
    {
        if (!module.Registered || call is { EndedAtMs: null })
        {
            module.Emit("NO CARRIER");
            return;
        }
        if (module.Faults.CallsRefused > 0)
        {
            // Network congestion: the call is refused before it rings.
            module.Faults.CallsRefused--;
            module.Calls.Add(new EmulatedCall { Number = number, Outgoing = true, PlacedAtMs = module.Now, EndedAtMs = module.Now, EndedBy = "refused" });
            module.Emit("NO CARRIER");
            return;
        }
        var c = new EmulatedCall { Number = number, Outgoing = true, PlacedAtMs = module.Now };
        call = c;
        module.Calls.Add(c);
        int gen = ++generation;
        module.Ok();
        State(c, 2);
        var phone = module.Phones.TryGetValue(number, out var p) ? p : new EmulatedPhone { Answer = PhoneAnswer.NoAnswer };
        Later(gen, 1000, () =>
        {
            if (phone.Answer == PhoneAnswer.Unreachable)
            {
                End("unreachable", report: true, result: "NO CARRIER");
                return;
            }
            if (phone.Answer == PhoneAnswer.Busy)
            {
                End("busy", report: true, result: "BUSY");
                return;
            }
            State(c, 3);
            if (phone.Answer == PhoneAnswer.NoAnswer)
            {
                Later(gen, 60000, () => End("no-answer", report: true, result: "NO ANSWER"));
                return;
            }
            Later(gen, phone.AnswerAfterMs, () =>
            {
                Connect(c);
                bool voicemail = phone.Answer == PhoneAnswer.Voicemail;
                if (!voicemail)
                {
                    for (int i = 0; i < phone.Keys.Length; i++)
                    {
                        char key = phone.Keys[i];
                        Later(gen, phone.KeysAfterMs + 1000 * i, () => Key(c, key));
                    }
                }
                int hangUp = voicemail ? 60000 : phone.HangUpAfterMs;
                if (hangUp >= 0)
                {
                    Later(gen, hangUp, () => End("remote", report: true, result: "NO CARRIER"));
                }
            });
        });
    }

    /// <summary>Someone calls the module: RING every 3 s with caller id, until answered, refused, or the caller gives up after 30 s.</summary>
    public void RingFrom(string number)
    {
        if (call is { EndedAtMs: null })
        {
            return; // the caller hears busy; the device sees nothing (no call waiting)
        }
        var c = new EmulatedCall { Number = number, Outgoing = false, PlacedAtMs = module.Now };
        call = c;
        module.Calls.Add(c);
        int gen = ++generation;
        for (int i = 0; i < 10; i++)
        {
            Later(gen, i * 3000, () =>
            {
                if (c.AnsweredAtMs != null)
                {
                    return;
                }
                module.Emit("RING");
                if (clip)
                {
                    module.Emit("+CLIP: \"" + number + "\",145,\"\",0,\"\",0");
                }
            });
        }
        State(c, 4);
        Later(gen, 30000, () =>
        {
            if (c.AnsweredAtMs == null)
            {
                End("caller-gave-up", report: true, result: "NO CARRIER");
            }
        });
    }

    /// <summary>Someone on the call presses a key now.</summary>
    public void PressKey(char key)
    {
        if (call is { EndedAtMs: null, AnsweredAtMs: not null } c)
        {
            Key(c, key);
        }
    }

    /// <summary>The network drops the call in progress.</summary>
    public void Drop() => End("dropped", report: true, result: "NO CARRIER");

    /// <summary>The far end hangs up now.</summary>
    public void RemoteHangUp() => End("remote", report: true, result: "NO CARRIER");

    private void Answer()
    {
        if (call is not { EndedAtMs: null, Outgoing: false, AnsweredAtMs: null } c)
        {
            module.Emit("NO CARRIER");
            return;
        }
        module.Ok();
        Connect(c);
    }

    private void Connect(EmulatedCall c)
    {
        c.AnsweredAtMs = module.Now;
        c.SpeakerLevel = speaker;
        State(c, 0);
    }

    private void Key(EmulatedCall c, char key)
    {
        if (c.EndedAtMs != null)
        {
            return;
        }
        c.KeysPressed += key;
        if (ddet)
        {
            module.Emit("+DTMF: " + key);
        }
    }

    private void End(string by, bool report, string? result = null)
    {
        if (call is not { EndedAtMs: null } c)
        {
            return;
        }
        c.EndedAtMs = module.Now;
        c.EndedBy = by;
        generation++;
        if (!report)
        {
            return;
        }
        State(c, 6);
        if (result != null)
        {
            module.Emit(result);
        }
    }

    private void State(EmulatedCall c, int stat)
    {
        if (clcc)
        {
            module.Emit("+CLCC: 1," + (c.Outgoing ? 0 : 1) + "," + stat + ",0,0,\"" + c.Number + "\",145,\"\"");
        }
    }

    private void Later(int gen, int ms, Action run) => module.After(ms, () =>
    {
        if (gen == generation && module.IsOn)
        {
            run();
        }
    });
}
