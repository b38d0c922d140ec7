"""Entry point for ``python -m device_bridge``."""

from device_bridge.cli import main

if __name__ == "__main__":
    main(prog_name="python -m device_bridge")
