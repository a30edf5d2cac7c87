/* global Image, CustomEvent */
/*
 * A stand-in for the Kissmetrics browser library (https://i.kissmetrics.io/i.js), for tests and the
 * offline demo. It behaves as the real library does towards a page: it defines `window.KM`, replays the
 * commands waiting in the `window._kmq` array in order (arrays call `KM[cmd](...args)`, functions are
 * called), then replaces `_kmq` with an object whose `push` runs commands at once. Every KM call is
 * recorded, in order, in `window.__kmCalls`, announced as a `fake-kissmetrics` window event, and sent
 * as a GET to the tracking host, `https://trk.kissmetrics.io` unless the script tag says otherwise in
 * `data-tracking-host` (the demo points it at its own server so that nothing leaves the machine).
 */
(function () {
  'use strict';
  if (window.KM) return;

  var script = document.currentScript;
  var trackingHost = (script && script.getAttribute('data-tracking-host')) || 'https://trk.kissmetrics.io';
  var calls = (window.__kmCalls = window.__kmCalls || []);
  var anonymousId = 'anon-' + Math.random().toString(36).slice(2, 10);
  var person = anonymousId;

  function send(path, params) {
    var all = Object.assign({ _k: window._kmk, _p: person }, params);
    var query = [];
    for (var key in all) query.push(encodeURIComponent(key) + '=' + encodeURIComponent(String(all[key])));
    new Image().src = trackingHost + path + '?' + query.join('&');
  }

  function called(call) {
    calls.push(call);
    window.dispatchEvent(new CustomEvent('fake-kissmetrics', { detail: call }));
  }

  function copy(props) {
    var out = {};
    for (var key in props) if (Object.prototype.hasOwnProperty.call(props, key)) out[key] = props[key];
    return out;
  }

  var KM = {
    identify: function (id) {
      called(['identify', id]);
      if (id && id !== person) {
        send('/a', { _n: id });
        person = id;
      }
    },
    record: function (name, props) {
      called(['record', name, copy(props)]);
      send('/e', Object.assign({ _n: name }, props));
    },
    set: function (props) {
      called(['set', copy(props)]);
      send('/s', props);
    },
    alias: function (name, previous) {
      called(['alias', name, previous]);
      send('/a', { _p: previous, _n: name });
    },
    clearIdentity: function () {
      called(['clearIdentity']);
      person = 'anon-' + Math.random().toString(36).slice(2, 10);
    },
  };

  function run(command) {
    if (typeof command === 'function') return command();
    if (Array.isArray(command) && typeof KM[command[0]] === 'function') {
      return KM[command[0]].apply(KM, command.slice(1));
    }
    called(['unknown', command]);
  }

  window.KM = KM;
  var waiting = window._kmq;
  window._kmq = {
    push: function () {
      for (var i = 0; i < arguments.length; i++) run(arguments[i]);
    },
  };
  if (Array.isArray(waiting)) for (var i = 0; i < waiting.length; i++) run(waiting[i]);
})();
