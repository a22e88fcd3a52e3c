namespace PanicDevice.Core.Config
{
    /// <summary>
    /// The one rule for phone numbers: the device's config reader accepts exactly what <see cref="IsValid"/> accepts, and
    /// provisioning turns what a person types into that form with <see cref="Normalize"/> or refuses it with the reason,
    /// so a number provisioning accepted can never make the device refuse its device.json (and sit in its fault blink).
    /// </summary>
    public static class PhoneNumbers
    {
        /// <summary>E.164: at most 15 digits after the '+'.</summary>
        public const int MaxE164Digits = 15;

        /// <summary>What the device dials or texts: 3 to 20 digits, an optional leading '+', nothing else (the SIM800 takes it as is).</summary>
        public static bool IsValid(string s)
        {
            if (s == null || s.Length < 3 || s.Length > 20)
            {
                return false;
            }
            for (int i = 0; i < s.Length; i++)
            {
                char ch = s[i];
                if (!(ch >= '0' && ch <= '9') && !(ch == '+' && i == 0))
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>
        /// A person's number as typed (spaces, hyphens, dots, parentheses allowed) in international form (+62 812…) or
        /// in the national form of <paramref name="plan"/> (0812…), as E.164 (+62812…); null, with <paramref name="problem"/>
        /// saying why, for anything else. Short service numbers (112) are not a person's number and are refused here.
        /// </summary>
        public static string Normalize(string typed, DialingPlan plan, out string problem)
        {
            problem = null;
            if (typed == null || typed.Length == 0)
            {
                problem = "is empty";
                return null;
            }
            if (typed.Length > 40)
            {
                problem = "is longer than 40 characters";
                return null;
            }
            string digits = "";
            bool plus = false;
            for (int i = 0; i < typed.Length; i++)
            {
                char ch = typed[i];
                if (ch >= '0' && ch <= '9')
                {
                    digits += ch;
                }
                else if (ch == '+' && digits.Length == 0 && !plus)
                {
                    plus = true;
                }
                else if (ch != ' ' && ch != '-' && ch != '.' && ch != '(' && ch != ')')
                {
                    problem = "contains '" + (ch < ' ' || ch > '~' ? "?" : ch.ToString()) + "': a phone number has digits, a leading + and separators (space - . ( )) only";
                    return null;
                }
            }
            string e164;
            if (plus)
            {
                if (digits.Length == 0 || digits[0] == '0')
                {
                    problem = "must have a country code after the + (+" + plan.CountryCode + " for " + plan.Country + ")";
                    return null;
                }
                e164 = "+" + digits;
            }
            else if (plan.TrunkPrefix.Length > 0 && digits.Length > plan.TrunkPrefix.Length && digits.Substring(0, plan.TrunkPrefix.Length) == plan.TrunkPrefix)
            {
                e164 = "+" + plan.CountryCode + digits.Substring(plan.TrunkPrefix.Length);
            }
            else
            {
                problem = "is neither international (+" + plan.CountryCode + "…) nor national" + (plan.TrunkPrefix.Length > 0 ? " (" + plan.TrunkPrefix + "…)" : "") + " for " + plan.Country;
                return null;
            }
            int count = e164.Length - 1;
            if (count < 8 || count > MaxE164Digits)
            {
                problem = "has " + count.ToString() + " digits with its country code; a phone number has 8 to " + MaxE164Digits.ToString();
                return null;
            }
            return e164;
        }
    }
}
