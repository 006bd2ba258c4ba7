"""Write nbs/images/headline.png, the home page's figure, from the outputs saved in nbs/20_aae.ipynb.

It is Figure 2a (held-out codes beside the prior) and Figure 2e (the percentile grid) of the 15-epoch run shown
there, side by side; nothing is re-computed. Run it after re-making that notebook's Figure 2 cell.
"""
import base64, io, json
from pathlib import Path
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
CELL = 'f177f2b6'   # `m2a = show_run('../runs/fig2a', 'aae-gaussian-2d', epochs=15)` in 20_aae

def main():
    nb = json.loads((ROOT/'nbs'/'20_aae.ipynb').read_text(encoding='utf-8'))
    cell = next(c for c in nb['cells'] if c.get('id') == CELL)
    ims = [Image.open(io.BytesIO(base64.b64decode(o['data']['image/png']))).convert('RGB')
           for o in cell['outputs'] if 'image/png' in o.get('data', {})]
    if len(ims) != 2: raise SystemExit(f'20_aae cell {CELL} has {len(ims)} saved figures, expected 2 (Figure 2a, 2e)')
    h = ims[0].height
    grid = ims[1].resize((h, h), Image.LANCZOS)
    out = Image.new('RGB', (ims[0].width + h, h), 'white')
    out.paste(ims[0], (0, 0)); out.paste(grid, (ims[0].width, 0))
    dest = ROOT/'nbs'/'images'/'headline.png'
    dest.parent.mkdir(exist_ok=True); out.save(dest, optimize=True)
    print(dest, out.size)

if __name__ == '__main__': main()
