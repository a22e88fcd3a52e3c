namespace PanicDevice.ModemEmulator;

/// <summary>An SMS the emulated module accepted, as the network would deliver it.</summary>
public sealed record EmulatedSms(string Number, string Text, string Mode, int Parts, long AtMs);
