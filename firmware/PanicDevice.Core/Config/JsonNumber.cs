namespace PanicDevice.Core.Config
{
    /// <summary>
    /// A JSON number kept as its text: conversions are exact integer arithmetic, so the device and the
    /// host read "106.8271528" to the same 1e-7 degrees (double parsing and printing differ between them).
    /// </summary>
    public class JsonNumber
    {
        /// <summary>The number exactly as written in the document.</summary>
        public readonly string Text;

        /// <summary>Wraps validated JSON number text.</summary>
        public JsonNumber(string text)
        {
            Text = text;
        }

        /// <summary>The value as a whole number; false when it has a fraction or exponent or is out of range.</summary>
        public bool TryGetInt64(out long value)
        {
            return TryScaled(0, out value);
        }

        /// <summary>The value times 10^digits, exactly; false when more fractional digits are given than fit, or out of range.</summary>
        public bool TryScaled(int digits, out long value)
        {
            value = 0;
            string t = Text;
            int i = 0;
            bool negative = false;
            if (t.Length > 0 && t[0] == '-')
            {
                negative = true;
                i = 1;
            }
            long v = 0;
            int fractionDigits = -1;
            for (; i < t.Length; i++)
            {
                char c = t[i];
                if (c == '.')
                {
                    fractionDigits = 0;
                    continue;
                }
                if (c < '0' || c > '9')
                {
                    // Exponents are legal JSON but no configuration value needs them.
                    return false;
                }
                if (fractionDigits >= 0)
                {
                    fractionDigits++;
                    if (fractionDigits > digits)
                    {
                        if (c != '0')
                        {
                            return false;
                        }
                        continue;
                    }
                }
                if (v > (long.MaxValue - 9) / 10)
                {
                    return false;
                }
                v = v * 10 + (c - '0');
            }
            int have = fractionDigits < 0 ? 0 : (fractionDigits > digits ? digits : fractionDigits);
            for (int k = have; k < digits; k++)
            {
                if (v > long.MaxValue / 10)
                {
                    return false;
                }
                v *= 10;
            }
            value = negative ? -v : v;
            return true;
        }
    }
}
