using System;
using System.Collections;
using System.Device.Gpio;
using PanicDevice.Core.App;
using PanicDevice.Core.Board;

namespace PanicDevice.Firmware
{
    /// <summary>
    /// Collects the button pin's edges on the GPIO event thread, stamped with the monotonic clock, and hands
    /// them to Core on the main loop (Core is single-threaded).
    /// </summary>
    internal sealed class ButtonEdges
    {
        /// <summary>
        /// A short native glitch filter; Core's debouncer does the real work. The native ESP32 filter reports an
        /// edge this long after it began (it fires when the level has held), so the stamp is moved back by it.
        /// </summary>
        public const int NativeFilterMs = 5;

        private readonly Queue edges = new Queue();
        private readonly GpioPin pin;

        public ButtonEdges(GpioController gpio)
        {
            // Input without an internal pull: the button pin has none (GPIO 34–39) and the board's external
            // pull-up also holds the level for ext0 wake in deep sleep.
            pin = gpio.OpenPin(BoardPins.Button, PinMode.Input);
            pin.DebounceTimeout = TimeSpan.FromMilliseconds(NativeFilterMs);
            pin.ValueChanged += OnValueChanged;
        }

        /// <summary>The pin's level now, as pressed or not.</summary>
        public bool IsPressed
        {
            get { return (pin.Read() == PinValue.Low) == BoardPins.ButtonActiveLow; }
        }

        /// <summary>Feeds every edge seen since the last call into the app, oldest first.</summary>
        public void DrainInto(PanicDeviceApp app)
        {
            while (true)
            {
                Edge e;
                lock (edges)
                {
                    if (edges.Count == 0)
                    {
                        return;
                    }
                    e = (Edge)edges.Dequeue();
                }
                app.OnRawButtonEdge(e.Pressed, e.AtMs);
            }
        }

        private void OnValueChanged(object sender, PinValueChangedEventArgs e)
        {
            bool falling = (e.ChangeType & PinEventTypes.Falling) != 0;
            Edge edge = new Edge();
            edge.Pressed = falling == BoardPins.ButtonActiveLow;
            edge.AtMs = Environment.TickCount64 - NativeFilterMs;
            lock (edges)
            {
                edges.Enqueue(edge);
            }
        }

        private sealed class Edge
        {
            public bool Pressed;
            public long AtMs;
        }
    }
}
