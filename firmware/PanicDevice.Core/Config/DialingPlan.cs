namespace PanicDevice.Core.Config
{
    /// <summary>
    /// How numbers are written in a country where devices are provisioned: its E.164 country code, its trunk prefix
    /// (what national numbers start with), the emergency number the human SMS goes to by default, and the numbers that
    /// reach emergency services there (which a bench test must never text). Sources and what is not verified:
    /// docs/provisioning.md, "Countries".
    /// </summary>
    public class DialingPlan
    {
        /// <summary>ISO 3166-1 alpha-2 code, upper case.</summary>
        public string Country;
        /// <summary>E.164 country code, digits only.</summary>
        public string CountryCode;
        /// <summary>National (trunk) prefix, "" where there is none.</summary>
        public string TrunkPrefix;
        /// <summary>Where the emergency SMS goes by default.</summary>
        public string EmergencyNumber;
        /// <summary>Every short number that reaches an emergency service in this country.</summary>
        public string[] EmergencyServices;

        private DialingPlan(string country, string countryCode, string trunkPrefix, string emergencyNumber, string[] services)
        {
            Country = country;
            CountryCode = countryCode;
            TrunkPrefix = trunkPrefix;
            EmergencyNumber = emergencyNumber;
            EmergencyServices = services;
        }

        // Built when first asked for: the device itself never needs the table, so it costs the device no memory.
        private static DialingPlan[] plans;

        /// <summary>The countries provisioning knows, Indonesia first (the default).</summary>
        public static DialingPlan[] All
        {
            get
            {
                if (plans == null)
                {
                    plans = new DialingPlan[]
                    {
                        new DialingPlan("ID", "62", "0", "112", new string[] { "112", "110", "113", "115", "118", "119" }),
                        new DialingPlan("MY", "60", "0", "999", new string[] { "999", "112", "994" }),
                        new DialingPlan("SG", "65", "", "999", new string[] { "999", "995", "993" }),
                        new DialingPlan("PH", "63", "0", "911", new string[] { "911", "112" }),
                        new DialingPlan("AU", "61", "0", "000", new string[] { "000", "112", "106" }),
                        new DialingPlan("GB", "44", "0", "999", new string[] { "999", "112" }),
                        new DialingPlan("US", "1", "1", "911", new string[] { "911", "112" }),
                    };
                }
                return plans;
            }
        }

        /// <summary>The plan of <paramref name="country"/> (ISO code, any case); null when it is not in the table.</summary>
        public static DialingPlan Find(string country)
        {
            if (country == null)
            {
                return null;
            }
            string wanted = "";
            for (int i = 0; i < country.Length; i++)
            {
                char ch = country[i];
                wanted += ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch;
            }
            DialingPlan[] all = All;
            for (int i = 0; i < all.Length; i++)
            {
                if (all[i].Country == wanted)
                {
                    return all[i];
                }
            }
            return null;
        }

        /// <summary>The countries as "ID, MY, …", for error messages.</summary>
        public static string Known()
        {
            string s = "";
            DialingPlan[] all = All;
            for (int i = 0; i < all.Length; i++)
            {
                s += (i == 0 ? "" : ", ") + all[i].Country;
            }
            return s;
        }

        /// <summary>
        /// Whether a text to <paramref name="number"/> would reach an emergency service in any country of the table: a
        /// device may be carried across a border, and a bench test must never text one anywhere.
        /// </summary>
        public static bool IsEmergencyService(string number)
        {
            if (number == null || number.Length == 0)
            {
                return false;
            }
            DialingPlan[] all = All;
            for (int i = 0; i < all.Length; i++)
            {
                for (int j = 0; j < all[i].EmergencyServices.Length; j++)
                {
                    if (all[i].EmergencyServices[j] == number)
                    {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
