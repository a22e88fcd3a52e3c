namespace PanicDevice.Core.Calls
{
    /// <summary>
    /// Whether a caller id is a configured number. The network shows a number in national or international form
    /// ("081234567890" or "+6281234567890"), so two numbers are the same when their last nine digits are; shorter numbers must
    /// match whole. A withheld or empty number matches nothing. Caller id can be spoofed: listen-in is a convenience for
    /// people the wearer chose, not an authentication (docs/security.md).
    /// </summary>
    public static class CallerNumbers
    {
        /// <summary>Digits compared from the end.</summary>
        public const int SignificantDigits = 9;

        /// <summary>True when <paramref name="caller"/> is <paramref name="configured"/>.</summary>
        public static bool Same(string caller, string configured)
        {
            string a = Digits(caller);
            string b = Digits(configured);
            if (a.Length == 0 || b.Length == 0)
            {
                return false;
            }
            if (a.Length < SignificantDigits || b.Length < SignificantDigits)
            {
                return a == b;
            }
            return a.Substring(a.Length - SignificantDigits) == b.Substring(b.Length - SignificantDigits);
        }

        private static string Digits(string number)
        {
            if (number == null)
            {
                return "";
            }
            string d = "";
            for (int i = 0; i < number.Length; i++)
            {
                if (number[i] >= '0' && number[i] <= '9')
                {
                    d += number[i];
                }
            }
            return d;
        }
    }
}
