"""Demo data for `manage.py seeddemo`: the 苏州市 → 太仓市 tree with its centers, stations
and rooms (demo.json), and the demo accounts other systems and the README rely on."""
