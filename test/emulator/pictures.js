'use strict';
/**
 * The pictures the emulator draws, and what a model would say it sees in them. The emulator
 * cannot look at an image; it can describe only the ones it drew itself: the demo picture on its
 * image host (`/images/demo.png`, a sunset over the sea, for the vision demo) and the gradient
 * of each finished job. Any other image gets a reply that says the emulator cannot see it.
 */
const { encodePicturePng, gradientColours } = require('./png');

const DEMO_PICTURE = {
	path: '/images/demo.png',
	width: 640,
	height: 400,
	description: 'a yellow sun setting over a calm dark blue sea under an orange evening sky',
};
// Fractions of the picture's height.
const HORIZON = 0.62;
const SUN_RADIUS = 0.16;

function mix(a, b, t) {
	return a.map((v, i) => Math.round(v + (b[i] - v) * t));
}

/** The demo picture's pixel: orange sky, a yellow half sun on the horizon, a dark blue sea. */
function sunsetPixel(x, y) {
	const { width, height } = DEMO_PICTURE;
	const horizon = height * HORIZON;
	if (y < horizon) {
		const dx = x - width / 2;
		const dy = y - horizon;
		if (dx * dx + dy * dy < (height * SUN_RADIUS) ** 2) return [255, 214, 64];
		return mix([238, 104, 44], [255, 178, 92], y / horizon);
	}
	const sea = mix([24, 58, 112], [8, 24, 60], (y - horizon) / (height - horizon));
	// the sun's reflection: a few lighter streaks below it
	const streak = Math.abs(x - width / 2) < width * 0.05 && Math.floor(y / 6) % 2 === 0;
	return streak ? mix(sea, [255, 214, 64], 0.35) : sea;
}

let demoPng = null;
function demoPicturePng() {
	demoPng ??= encodePicturePng(DEMO_PICTURE.width, DEMO_PICTURE.height, sunsetPixel);
	return demoPng;
}

/** A colour's everyday name, from its hue, saturation and lightness. */
function colourName([r, g, b]) {
	const max = Math.max(r, g, b) / 255;
	const min = Math.min(r, g, b) / 255;
	const light = (max + min) / 2;
	const sat = max === min ? 0 : (max - min) / (1 - Math.abs(2 * light - 1));
	if (sat < 0.15 || light < 0.1 || light > 0.94) {
		if (light < 0.2) return 'black';
		return light > 0.8 ? 'white' : 'grey';
	}
	const d = max - min;
	const [R, G, B] = [r / 255, g / 255, b / 255];
	let hue = max === R ? ((G - B) / d) % 6 : max === G ? (B - R) / d + 2 : (R - G) / d + 4;
	hue = (hue * 60 + 360) % 360;
	const names = [
		[15, 'red'],
		[45, 'orange'],
		[70, 'yellow'],
		[160, 'green'],
		[195, 'teal'],
		[250, 'blue'],
		[290, 'purple'],
		[345, 'pink'],
		[360, 'red'],
	];
	const name = names.find(([limit]) => hue < limit)[1];
	if (light < 0.3) return `dark ${name}`;
	return light > 0.72 ? `light ${name}` : name;
}

/**
 * What the emulator drew at `url`, in words, or undefined for an image it did not draw.
 * state: the emulator's state (its image host address and jobs).
 */
function describePicture(state, url) {
	const base = state.emu ? state.emu.imageBaseUrl : '';
	if (!base || typeof url !== 'string' || !url.startsWith(`${base}/images/`)) return undefined;
	const path = url.slice(base.length).split(/[?#]/)[0];
	if (path === DEMO_PICTURE.path) return DEMO_PICTURE.description;
	const m = /^\/images\/(\d+)\.png$/.exec(path);
	const job = m ? state.jobs.get(m[1]) : undefined;
	if (!job || job.status !== 'success') return undefined;
	const { from, to } = gradientColours(job.body.prompt);
	return `a smooth, abstract colour gradient from ${colourName(from)} in the top left to ${colourName(to)} in the bottom right, with no objects in it`;
}

module.exports = { DEMO_PICTURE, demoPicturePng, describePicture, colourName };
