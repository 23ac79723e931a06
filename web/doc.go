// Package web serves fairmatch's pages and JSON API: the organizers' app
// (year plan, data, matching review, agenda grid, reports, mail), the
// participants' schedules and calendar feeds, health and metrics.
//
// # Pages
//
// Pages are server-rendered from html/template files embedded from
// templates/ (templates/_*.tmpl are the shared layout and partials; every
// other file is one page) with one small stylesheet and script from static/;
// there is no build step. Every page is written in Chinese and English: the
// browser's Accept-Language chooses, ?lang=zh or ?lang=en switches and the
// choice is kept in a cookie. Texts live in per-area catalogs (i18n.go and
// the catalog next to each area's handlers).
//
// # Who may do what
//
// auth.Service tells who a request acts for: an organizer, a technology
// commissioner (problems of their own enterprises only) or a university
// liaison (offerings and experts of their own university only), signed in
// with a password (cookie session) or an API token (Authorization: Bearer);
// or a participant, through the personal link sent to them (which sets a
// cookie and redirects to a clean address) or a calendar-feed token. Every
// route states the principals it admits (page and api), and handlers check
// each object against the principal (Principal.CanEditEnterprise and so on).
// Forms are protected against cross-site posts by
// http.CrossOriginProtection; bodies are size-limited; sign-in and link
// requests are rate-limited per client address.
//
// # Errors
//
// API errors are JSON, {"error": code, "message": ..., "issues": [...]}, with
// the status that fairmatch.Error's code maps to (StatusOf); page errors are
// a page with the same message and the issues as a table.
package web
