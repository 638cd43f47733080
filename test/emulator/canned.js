'use strict';
/**
 * Canned replies: the emulator's own deterministic text (not a model's), long enough to look like a
 * real answer in a demo or a screenshot. The template is picked by what the message asks for (a
 * prompt, a list of ideas, a social media post, a one-sentence summary) or else by a hash of the
 * message; the user's topic words are woven in. A few replies use the conversation: a name the
 * person gave earlier (so a chat with memory can show that it remembers), and the pictures the
 * emulator drew itself (pictures.js), which it can describe.
 */
const { personName } = require('./textFacts');

const MIN_TOPIC_WORD_LENGTH = 4;
const MAX_TOPIC_WORDS = 3;
const FALLBACK_TOPIC = ['your project', 'the finer detail', 'everyday practice'];
// The topic usually follows one of these words ("a blog post about sourdough baking").
const TOPIC_MARKER = /\b(?:about|on|of|for|regarding)\s+(.+)$/i;
const STOP_WORDS = new Set(
	(
		'about above after again also been before being below between both could does doing down ' +
		'during each even every from further give have having here into just like make many more ' +
		'most much need only other over please same should show some such tell than that their them ' +
		'then there these they this those through under until very want were what when where which ' +
		'while will with within without would write your yours short long brief answer sentence ' +
		'sentences words word prompt prompts list ideas idea some three five ten hello thanks thank ' +
		'create explain describe generate summarise summarize draft compose suggest come blog post ' +
		'article tweet email story image picture photo help know paragraph things thing today'
	).split(' '),
);

/** FNV-1a, 32 bit: stable across runs and Node versions, so a message always gets one template. */
function hash(text) {
	let h = 0x811c9dc5;
	for (const byte of Buffer.from(text, 'utf8')) {
		h ^= byte;
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h;
}

function topicWords(text) {
	const marked = TOPIC_MARKER.exec(text);
	if (marked) {
		const after = topicWords(marked[1]).filter((w) => !FALLBACK_TOPIC.includes(w));
		if (after.length > 0) return after;
	}
	const words = [];
	for (const match of text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu)) {
		// keep the user's spelling (France, iPhone), compare in lower case
		const w = match[0];
		const lower = w.toLowerCase();
		if (w.length < MIN_TOPIC_WORD_LENGTH || STOP_WORDS.has(lower)) continue;
		if (words.some((x) => x.toLowerCase() === lower)) continue;
		words.push(w);
		if (words.length === MAX_TOPIC_WORDS) break;
	}
	return words;
}

/** The topic as a phrase (up to two words), then two other slots; fallbacks fill the gaps. */
function slots(text) {
	const words = topicWords(text);
	const topic = words.length > 0 ? words.slice(0, 2).join(' ') : FALLBACK_TOPIC[0];
	return [topic, words[2] || FALLBACK_TOPIC[1], FALLBACK_TOPIC[2]];
}

const blogParagraph = ([a, b, c]) =>
	`Few things reward a closer look like ${a}. At first glance it seems simple, but the more ` +
	`time you spend with it, the more you notice how ${b} shapes every part of the experience. ` +
	`Start small: pick one aspect of ${a}, learn what makes it work, and build from there. ` +
	`Along the way, ${c} turns from an afterthought into the detail that makes the difference. ` +
	`The people who get the most out of ${a} are rarely the ones with the most resources; they ` +
	`are the ones who stay curious, keep notes, and come back to try again.`;

const ideaList = ([a, b, c]) =>
	`Here are five ideas to get you started with ${a}:\n\n` +
	`1. Begin with a short overview of ${a} for someone who has never heard of it.\n` +
	`2. Compare two different approaches to ${b} and explain when each one fits best.\n` +
	`3. Share a common mistake people make with ${c} and how to avoid it.\n` +
	`4. Put together a simple checklist that connects ${a} and ${b}.\n` +
	`5. Ask your audience about their own experience with ${a} and feature the best answers.\n\n` +
	`Pick the one that suits your audience and expand it into a full piece.`;

const imagePrompt = ([a, b, c]) =>
	`A detailed, cinematic scene centred on ${a}, bathed in warm golden-hour light. ` +
	`In the foreground, ${b} is rendered with crisp textures and fine detail, while the ` +
	`background fades into a soft, dreamy blur. Subtle hints of ${c} appear at the edges of ` +
	`the frame. Rich but natural colour palette, gentle contrast, shallow depth of field, ` +
	`shot on a 50 mm lens, high resolution, professional photography, balanced composition, ` +
	`calm and inviting mood.`;

const friendlyAnswer = ([a, b, c]) =>
	`Great question! When it comes to ${a}, the short answer is that it depends on what you want ` +
	`to achieve. If your goal is to understand ${b}, start with the basics and test your ` +
	`assumptions early, because small experiments teach more than long plans. If ${c} matters ` +
	`most to you, keep it simple and focus on one thing at a time. Either way, you are already ` +
	`on the right track by asking. Let me know if you would like a more detailed walkthrough or ` +
	`a few concrete examples.`;

const stepByStep = ([a, b, c]) =>
	`Here is a simple way to approach ${a}, step by step. First, write down what you already ` +
	`know and what you still need to find out. Second, gather the material on ${b} that matters ` +
	`most and set everything else aside for now. Third, try a small first version and look at ` +
	`the result with fresh eyes. Fourth, adjust the parts involving ${c} based on what you ` +
	`learned. Finally, repeat the cycle until the outcome feels right. Each round gets quicker.`;

const summary = ([a, b, c]) =>
	`In short: ${a} is about making good choices with limited time and attention. The key ` +
	`points are that ${b} deserves attention early, that ${c} is easy to underestimate, and ` +
	`that steady progress beats a perfect plan. Most problems come from skipping the basics ` +
	`rather than from a lack of advanced techniques. If you remember one thing, let it be this: ` +
	`keep the goal in view, measure what you can, and change course when the evidence tells ` +
	`you to.`;

const prosAndCons = ([a, b, c]) =>
	`Let us weigh ${a} honestly. On the plus side, it is flexible, it scales well with ${b}, ` +
	`and it rewards the effort you put in. Many people also find that it brings clarity to ` +
	`decisions about ${c}. On the other hand, it takes time to learn, the first results can ` +
	`be underwhelming, and it is easy to overcomplicate. My suggestion: try it on a small, ` +
	`low-risk case first. If it helps there, you will know it is worth a bigger commitment.`;

const shortStory = ([a, b, c]) =>
	`The morning everything changed began with ${a}. Nobody in the small town expected much ` +
	`from it, least of all Mara, who had spent years quietly studying ${b} in the back room of ` +
	`her shop. But when the first visitors arrived asking about ${c}, she realised her patient ` +
	`work had found its moment. By evening the shop was full, the kettle never cooled, and Mara ` +
	`smiled at the thought that small, steady things are often the ones that last.`;

const GENERAL = [blogParagraph, friendlyAnswer, stepByStep, summary, prosAndCons, shortStory];
const TEMPLATES = [...GENERAL, ideaList, imagePrompt];

const ASKS_NAME = /\bwhat(?:'s| is) my name\b|\bwho am i\b|\b(?:know|remember) my name\b/i;
/** A message this short that gives a name is a greeting, not a question. */
const MAX_GREETING_WORDS = 12;
const SOCIAL = /social media|tweet|linkedin|instagram|facebook|mastodon/i;
const MAX_TOPIC_PHRASE_WORDS = 8;
const MAX_SUMMARY_SENTENCES = 4;

/** A name told earlier, asked for now; or a name given now. Else undefined. */
function recall(text, earlier) {
	if (ASKS_NAME.test(text)) {
		const name = earlier.map(personName).filter(Boolean).pop();
		return name
			? `Your name is ${name}: you told me earlier in our conversation.`
			: 'You have not told me your name yet. Tell me, and I will remember it for the rest of our chat.';
	}
	const name = personName(text);
	if (name && text.split(/\s+/).length <= MAX_GREETING_WORDS) {
		return `Nice to meet you, ${name}! How can I help you today?`;
	}
	return undefined;
}

/** The words after "about"/"on" as written, e.g. "autumn hiking in the Alps". */
function topicPhrase(text) {
	const m = /\b(?:about|on)\s+([^.!?\n]+)/i.exec(text);
	const words = (m ? m[1] : slots(text)[0]).trim().split(/\s+/).slice(0, MAX_TOPIC_PHRASE_WORDS);
	return words.join(' ');
}

const socialPost = (text) => {
	const topic = topicPhrase(text);
	const tags = topicWords(topic).map((w) => `#${w.replace(/[^\p{L}\p{N}]/gu, '')}`);
	return (
		`Ready for ${topic}? There has never been a better moment to get out there, slow down and ` +
		`enjoy every bit of it. Tell us your favourite tip in the comments! ${tags.join(' ')}`
	).trim();
};

/** "Summarise in one sentence: A. B." -> "A, and b." Undefined for other messages. */
function oneSentenceSummary(text) {
	const m = /\bsummari[sz]e\b([^:\n]*):\s*([^]+)$/i.exec(text);
	if (!m || !/\bone sentence\b|\ba sentence\b/i.test(m[1])) return undefined;
	const sentences = m[2]
		.trim()
		.split(/(?<=[.!?])\s+/)
		.slice(0, MAX_SUMMARY_SENTENCES)
		.map((s, i) => {
			const plain = s.replace(/[.!?]+$/, '');
			// "The shop" -> "the shop" inside the sentence; names (MiniToolAI, n8n) stay as written
			return i > 0 && /^[A-Z][a-z]+\b/.test(plain)
				? plain[0].toLowerCase() + plain.slice(1)
				: plain;
		});
	if (sentences.length === 0 || sentences[0] === '') return undefined;
	const last = sentences.pop();
	return `${sentences.length ? `${sentences.join(', ')}, and ${last}` : last}.`;
}

/** What the message's pictures show; null stands for one the emulator did not draw. */
function pictureAnswer(pictures) {
	const seen = pictures.filter(Boolean);
	if (seen.length === 0) {
		return (
			'I cannot make out this image. (The MiniToolAI emulator describes only the pictures it ' +
			'drew itself: its demo picture and the images of its jobs.)'
		);
	}
	const shows = seen.map((d) => `the image shows ${d}`).join('; ');
	return `${shows[0].toUpperCase()}${shows.slice(1)}.`;
}

/**
 * The canned reply for the text of the last user message. context: `instructions` (the
 * developer messages), `earlier` (the texts of earlier user messages), `pictures` (one
 * description per image in the message, null for one the emulator cannot see).
 */
function cannedReply(text, { instructions = '', earlier = [], pictures = [] } = {}) {
	if (pictures.length > 0) return pictureAnswer(pictures);
	const remembered = recall(text, earlier);
	if (remembered) return remembered;
	if (/\b(?:post|tweet|caption)\b/i.test(text) && SOCIAL.test(`${instructions}\n${text}`)) {
		return socialPost(text);
	}
	const summary = oneSentenceSummary(text);
	if (summary) return summary;
	const words = slots(text);
	if (/\bprompts?\b/i.test(text)) return imagePrompt(words);
	if (/\b(ideas?|list|suggestions?|tips|ways)\b/i.test(text)) return ideaList(words);
	return GENERAL[hash(text) % GENERAL.length](words);
}

module.exports = { cannedReply, CANNED_TEMPLATE_COUNT: TEMPLATES.length };
