'use strict';
/**
 * What a model would pick out of a text when a schema or a tool asks for a field by name: an
 * e-mail address, a person's name, the product of an order with its quantity and price, a place,
 * a link. Used by the scripted model for answers meant for people (the sandbox); a few fixed
 * rules, not language understanding. Every rule scans the text once, with bounded patterns.
 */

/** Longer texts are read up to here (a model's context is bounded too). */
const MAX_TEXT_CHARS = 4000;
/** Words a product name or a place may have. */
const MAX_PHRASE_WORDS = 4;

// Names must be capitalised, so the words before them are matched case-insensitively by hand.
const NAME = String.raw`((?:[A-Z][\p{Ll}'-]+\s?){1,3})`;
const SIGN_OFF = new RegExp(
	`\\b${anyCase('(?:thanks|thank you|regards|best|cheers|sincerely|yours|greetings)')}[,.!]?\\s+${NAME}`,
	'u',
);
const INTRODUCTION = new RegExp(`\\b${anyCase("(?:my name is|i am|i'm|this is)")}\\s+${NAME}`, 'u');
const PLACE = /\b(?:in|at|to|from|near)\s+((?:[A-Z][\p{Ll}-]+\s?){1,2})/u;
const CURRENCIES = {
	eur: 'EUR',
	euro: 'EUR',
	euros: 'EUR',
	'€': 'EUR',
	usd: 'USD',
	dollar: 'USD',
	dollars: 'USD',
	$: 'USD',
	gbp: 'GBP',
	'£': 'GBP',
};
const AMOUNT = String.raw`(\d{1,9}(?:[.,]\d{1,2})?)`;
const CURRENCY = String.raw`(EUR|USD|GBP|euros?|dollars?|€|\$|£)`;
const PRICE_AFTER = new RegExp(`${AMOUNT}\\s?${CURRENCY}`, 'i');
const PRICE_BEFORE = new RegExp(`${CURRENCY}\\s?${AMOUNT}`, 'i');
const PRICE_WORD = new RegExp(`\\b(?:at|for|costs?|price[ds]?|priced at)\\s+${AMOUNT}\\b`, 'i');
// A count followed by what is counted: "3 desk lamps", not "3.5" or "42 EUR".
const QUANTITY =
	/(?:^|[^\d.,])(\d{1,6})\s+(?!(?:EUR|USD|GBP|euros?|dollars?)\b)(\p{L}[\p{L}'-]*(?:\s+\p{L}[\p{L}'-]*){0,5})/iu;
const PHRASE_END = new Set(
	'at for to from with each per in on by and or please costing priced that which who a an the'.split(
		' ',
	),
);

/** A pattern's letters as [Aa] classes: case-insensitive there, case-sensitive elsewhere. */
function anyCase(pattern) {
	return pattern.replace(/[a-z]/g, (c) => `[${c.toUpperCase()}${c}]`);
}

function clip(text) {
	return String(text ?? '').slice(0, MAX_TEXT_CHARS);
}

/** Words of the text without surrounding punctuation (one pass, no backtracking). */
function tokens(text) {
	return clip(text)
		.split(/[\s<>()[\]{}"',;]+/)
		.map((t) => t.replace(/^[.:!?]+|[.:!?]+$/g, ''))
		.filter(Boolean);
}

function email(text) {
	return tokens(text).find((t) => /^[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+$/.test(t));
}

function url(text) {
	return tokens(text).find((t) => /^https?:\/\/\S+$/i.test(t));
}

function personName(text) {
	const t = clip(text);
	const m = SIGN_OFF.exec(t) || INTRODUCTION.exec(t);
	return m ? m[1].trim() : undefined;
}

function place(text) {
	const m = PLACE.exec(clip(text));
	return m ? m[1].trim() : undefined;
}

function toNumber(raw) {
	return Number(String(raw).replace(',', '.'));
}

function price(text) {
	const t = clip(text);
	const m = PRICE_AFTER.exec(t);
	if (m) return toNumber(m[1]);
	const before = PRICE_BEFORE.exec(t);
	if (before) return toNumber(before[2]);
	const word = PRICE_WORD.exec(t);
	return word ? toNumber(word[1]) : undefined;
}

function currency(text) {
	const m = PRICE_AFTER.exec(clip(text)) || PRICE_BEFORE.exec(clip(text));
	if (!m) return undefined;
	const symbol = /\d/.test(m[1]) ? m[2] : m[1];
	return CURRENCIES[symbol.toLowerCase()];
}

/** The first count in the text and the thing counted ("3 desk lamps" -> 3, "desk lamp"). */
function order(text) {
	const m = QUANTITY.exec(clip(text));
	if (!m) return undefined;
	const words = [];
	for (const word of m[2].split(/\s+/)) {
		if (PHRASE_END.has(word.toLowerCase()) || words.length === MAX_PHRASE_WORDS) break;
		words.push(word);
	}
	if (words.length === 0) return undefined;
	words[words.length - 1] = singular(words[words.length - 1]);
	return { quantity: Number(m[1]), product: words.join(' ') };
}

function singular(word) {
	if (/ies$/i.test(word)) return `${word.slice(0, -3)}y`;
	if (/(?:ss|us)$/i.test(word)) return word;
	if (/(?:ches|shes|xes|sses)$/i.test(word)) return word.slice(0, -2);
	return /s$/i.test(word) ? word.slice(0, -1) : word;
}

/**
 * The value a model would give a field called `name` of JSON type `type`, read from `text`, or
 * undefined when the name says nothing this reader knows.
 */
function fieldFromText(name, type, text) {
	const n = String(name)
		.toLowerCase()
		.replace(/[^a-z]/g, '');
	if (n === '') return undefined;
	if (type === 'number' || type === 'integer') {
		if (/quantity|qty|count|pieces|units/.test(n)) return order(text)?.quantity;
		if (/price|cost|amount|total|fee/.test(n)) return price(text);
		return undefined;
	}
	if (type !== 'string') return undefined;
	if (/e?mail/.test(n)) return email(text);
	if (/url|link|image|picture/.test(n)) return url(text);
	if (/currency/.test(n)) return currency(text);
	if (/product|item|article|goods/.test(n)) return order(text)?.product;
	if (/city|location|place|country|town|destination/.test(n)) return place(text);
	if (/customer|name|person|sender|author|contact|buyer|client/.test(n)) return personName(text);
	return undefined;
}

/** A line "Name: value" in the text for this field, if there is one. */
function labelledValue(name, text) {
	const label = String(name)
		.replace(/([a-z])([A-Z])/g, '$1 $2')
		.toLowerCase();
	for (const line of clip(text).split('\n')) {
		const colon = line.indexOf(':');
		if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === label) {
			const value = line.slice(colon + 1).trim();
			if (value !== '') return value;
		}
	}
	return undefined;
}

/** The first sentence, for a field this reader cannot place (a summary, a title). */
function firstSentence(text, maxChars) {
	const t = clip(text).trim();
	const end = t.search(/[.!?](?:\s|$)/);
	return (end >= 0 ? t.slice(0, end + 1) : t).slice(0, maxChars);
}

module.exports = { fieldFromText, labelledValue, firstSentence, email, url, personName };
