namespace PanicDevice.Core.Modem
{
    /// <summary>
    /// One service of the SIM800 (TCP, SMS, cell information) as <see cref="Sim800Modem"/> drives it over the one
    /// command channel: the modem asks each part in its priority order for work, hands the result of a command back to
    /// the part that started it, offers it unsolicited lines, and tells it when the module restarted.
    /// </summary>
    internal interface ISim800Part
    {
        /// <summary>Starts this part's next command (through the modem) when it has one now; false when it has none.</summary>
        bool StartWork(long now);

        /// <summary>The command this part started has finished; the channel holds its status and lines.</summary>
        void Finish(long now);

        /// <summary>A line no command waited for; true when it was this part's to act on.</summary>
        bool OnUnsolicited(string line, long now);

        /// <summary>The module restarted or is being restarted: everything it held for this part is gone.</summary>
        void OnModuleRestarted();
    }
}
