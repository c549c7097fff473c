package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
)

// The kernel logo: a small computational graph (four nodes, the last one predicted) on a
// dark-blue rounded square, drawn in a 64×64 unit space. logoSVG and logoPNG draw the same
// shapes.
var (
	logoBackground = color.NRGBA{0x0b, 0x39, 0x54, 0xff}
	logoEdge       = color.NRGBA{0x9a, 0xd1, 0xe6, 0xff}
	logoNode       = color.NRGBA{0x00, 0xad, 0xd8, 0xff}
	logoAccent     = color.NRGBA{0xff, 0x9f, 0x1c, 0xff}
	logoNodes      = [][2]float64{{14, 32}, {32, 17}, {32, 47}, {50, 32}}
	logoEdges      = [][2]int{{0, 1}, {0, 2}, {1, 2}, {1, 3}, {2, 3}}
)

const (
	logoRadius     = 12.0 // corner radius of the background
	logoNodeRadius = 6.5
	logoEdgeWidth  = 3.0
)

const logoSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
<rect width="64" height="64" rx="12" fill="#0b3954"/>
<g stroke="#9ad1e6" stroke-width="3" stroke-linecap="round">
<line x1="14" y1="32" x2="32" y2="17"/><line x1="14" y1="32" x2="32" y2="47"/><line x1="32" y1="17" x2="32" y2="47"/>
<line x1="32" y1="17" x2="50" y2="32"/><line x1="32" y1="47" x2="50" y2="32"/>
</g>
<circle cx="14" cy="32" r="6.5" fill="#00add8"/><circle cx="32" cy="17" r="6.5" fill="#00add8"/>
<circle cx="32" cy="47" r="6.5" fill="#00add8"/><circle cx="50" cy="32" r="6.5" fill="#ff9f1c"/>
</svg>
`

// logoPNG renders the logo at size×size pixels with 4×4 supersampling.
func logoPNG(size int) ([]byte, error) {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	scale := 64 / float64(size)
	for py := range size {
		for px := range size {
			var r, g, b, a float64
			for sy := range ss {
				for sx := range ss {
					x := (float64(px) + (float64(sx)+0.5)/ss) * scale
					y := (float64(py) + (float64(sy)+0.5)/ss) * scale
					if c, ok := logoColorAt(x, y); ok {
						r += float64(c.R)
						g += float64(c.G)
						b += float64(c.B)
						a++
					}
				}
			}
			if a > 0 {
				img.SetNRGBA(px, py, color.NRGBA{uint8(r / a), uint8(g / a), uint8(b / a), uint8(255 * a / ss / ss)})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// logoColorAt is the colour of the topmost shape at (x, y), or false outside the logo.
func logoColorAt(x, y float64) (color.NRGBA, bool) {
	// Rounded square: distance to the inner rectangle must be below the corner radius.
	dx := math.Max(math.Max(logoRadius-x, x-(64-logoRadius)), 0)
	dy := math.Max(math.Max(logoRadius-y, y-(64-logoRadius)), 0)
	if x < 0 || y < 0 || x > 64 || y > 64 || dx*dx+dy*dy > logoRadius*logoRadius {
		return color.NRGBA{}, false
	}
	c := logoBackground
	for _, e := range logoEdges {
		a, b := logoNodes[e[0]], logoNodes[e[1]]
		if distToSegment(x, y, a, b) <= logoEdgeWidth/2 {
			c = logoEdge
		}
	}
	for i, n := range logoNodes {
		if math.Hypot(x-n[0], y-n[1]) <= logoNodeRadius {
			c = logoNode
			if i == len(logoNodes)-1 {
				c = logoAccent
			}
		}
	}
	return c, true
}

func distToSegment(x, y float64, a, b [2]float64) float64 {
	vx, vy := b[0]-a[0], b[1]-a[1]
	t := ((x-a[0])*vx + (y-a[1])*vy) / (vx*vx + vy*vy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(x-(a[0]+t*vx), y-(a[1]+t*vy))
}
