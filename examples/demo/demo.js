/* global URLSearchParams */
// The demo page's own script: watches window._kmq, loads the RudderStack SDK with this package as a
// device-mode destination, adds the local stand-in Kissmetrics library, and sends the forms' calls.
(function () {
  'use strict';

  var LATE_LIBRARY_DELAY_MS = 15000;
  var STAND_IN_LIBRARY = '/stand-in/kissmetrics.js';
  var WRITE_KEY = 'demo-write-key';
  // The SDK's default level, ERROR, also silences the integration's warnings about dropped calls.
  var LOG_LEVEL = 'WARN';

  var TRACK_PRESETS = {
    'Product Viewed': {
      event: 'Product Viewed',
      properties: { sku: 'kb-1', price: 99.5, details: { color: 'black' } },
    },
    'Order Completed': {
      event: 'Order Completed',
      properties: {
        order_id: 'o-1001',
        revenue: '$1,299.99',
        currency: 'USD',
        products: [
          { sku: 'kb-1', name: 'Keyboard', price: 999.99, quantity: 1 },
          { sku: 'ms-2', name: 'Mouse', price: 300, quantity: 1 },
        ],
      },
    },
    'No event name': { event: '', properties: { plan: 'pro' } },
  };

  var params = new URLSearchParams(window.location.search);
  var libraryMode = params.get('library') || 'now';
  var prefixProperties = params.get('prefixProperties') === 'true';
  var origin = window.location.origin;
  var startedAt = Date.now();
  var log = document.getElementById('log');
  var status = document.getElementById('status');

  function row(kind, what, text, note) {
    var item = document.createElement('li');
    item.className = kind;
    item.dataset.source = what;
    var cells = [
      ['time', '+' + ((Date.now() - startedAt) / 1000).toFixed(2) + ' s'],
      ['what', what],
      ['text', text],
    ];
    cells.forEach(function (cell) {
      var element = document.createElement(cell[0] === 'text' ? 'code' : 'span');
      element.className = cell[0];
      element.textContent = cell[1];
      item.appendChild(element);
    });
    if (note) {
      var small = document.createElement('span');
      small.className = 'note';
      small.textContent = note;
      item.appendChild(small);
    }
    log.appendChild(item);
    item.scrollIntoView({ block: 'nearest' });
  }

  function json(value) {
    return JSON.stringify(value);
  }

  // --- The panel's view of window._kmq -------------------------------------------------------
  // Whatever object is stored in window._kmq (the integration's array, later the library's queue),
  // its push is wrapped so that every command shows up here before it is queued or run.
  function watch(queue) {
    if (!queue || typeof queue.push !== 'function' || queue.push.watched) return queue;
    var push = queue.push;
    var watched = function () {
      for (var i = 0; i < arguments.length; i++) {
        row('push', '_kmq.push', json(arguments[i]), window.KM ? 'runs now' : 'queued: library not loaded yet');
      }
      return push.apply(this, arguments);
    };
    watched.watched = true;
    Object.defineProperty(queue, 'push', { value: watched, configurable: true, writable: true });
    return queue;
  }
  var kmq = watch(window._kmq);
  Object.defineProperty(window, '_kmq', {
    configurable: true,
    get: function () {
      return kmq;
    },
    set: function (value) {
      kmq = watch(value);
    },
  });

  window.addEventListener('fake-kissmetrics', function (event) {
    var call = event.detail;
    row('km', 'KM.' + call[0], call.slice(1).map(json).join(', '));
  });

  // --- The tracking requests the library sends --------------------------------------------------
  // Resource timing reports every request the browser made for the page, images included.
  var trackingPrefix = origin + '/trk/';
  new window.PerformanceObserver(function (list) {
    list.getEntries().forEach(function (entry) {
      if (entry.name.indexOf(trackingPrefix) !== 0) return;
      var url = new URL(entry.name);
      var query = {};
      url.searchParams.forEach(function (value, key) {
        query[key] = value;
      });
      row('trk', 'GET ' + url.pathname, json(query));
    });
  }).observe({ type: 'resource', buffered: true });

  // --- Warnings and errors -----------------------------------------------------------------------
  // Whatever the SDK or the integration writes to the console also goes to the panel. The SDK
  // styles its messages with %c: the styles are left out.
  function consoleText(args) {
    var parts = Array.prototype.slice.call(args);
    var first = parts[0];
    if (typeof first === 'string' && first.indexOf('%c') >= 0) {
      var styles = first.split('%c').length - 1;
      parts = [first.replace(/\s*%c\s*/g, ' ').trim()].concat(parts.slice(1 + styles));
    }
    return parts
      .map(function (part) {
        if (typeof part === 'string') return part;
        if (part instanceof Error) return part.message;
        try {
          return json(part);
        } catch {
          return String(part); // e.g. a cycle
        }
      })
      .join(' ');
  }
  ['warn', 'error'].forEach(function (level) {
    var original = console[level];
    console[level] = function () {
      row('warn', 'console.' + level, consoleText(arguments));
      return original.apply(console, arguments);
    };
  });

  // --- The stand-in Kissmetrics library -------------------------------------------------------
  function addStandInLibrary() {
    var script = document.createElement('script');
    script.src = STAND_IN_LIBRARY;
    script.setAttribute('data-tracking-host', origin + '/trk');
    script.onload = function () {
      setStatus('Kissmetrics stand-in library loaded: it replayed _kmq and now runs commands at once.');
    };
    document.head.appendChild(script);
  }

  function setStatus(text) {
    status.textContent = 'SDK with the Kissmetrics destination, prefixProperties ' + prefixProperties + '. ' + text;
  }

  // --- The RudderStack SDK ---------------------------------------------------------------------
  var sdk = new window.rudderanalytics.RudderAnalytics();
  window.demoAnalytics = sdk;
  sdk.load(WRITE_KEY, origin, {
    configUrl: origin + '/?prefixProperties=' + prefixProperties,
    destSDKBaseURL: origin + '/dist',
    logLevel: LOG_LEVEL,
    plugins: ['DeviceModeDestinations', 'NativeDestinationQueue', 'XhrQueue', 'StorageEncryption'],
    polyfillIfRequired: false,
    storage: { migrate: false },
  });

  if (libraryMode === 'now') {
    setStatus('The stand-in library is on its way.');
    addStandInLibrary();
  } else if (libraryMode === 'late') {
    setStatus(
      'The stand-in library arrives in 15 s (the SDK gives up on destinations after 11 s); until then commands wait in _kmq.',
    );
    window.setTimeout(addStandInLibrary, LATE_LIBRARY_DELAY_MS);
  } else {
    setStatus('No Kissmetrics library (blocked): commands wait in the _kmq array; try window._kmq in the console.');
  }

  // --- The forms -------------------------------------------------------------------------------
  var argumentsOf = {
    identify: function (input) {
      return [input.userId, input.traits];
    },
    track: function (input) {
      return [input.event, input.properties];
    },
    page: function (input) {
      return [input.category, input.name, input.properties];
    },
    alias: function (input) {
      return input.from === undefined ? [input.to] : [input.to, input.from];
    },
    group: function (input) {
      return [input.groupId, input.traits];
    },
  };

  Array.prototype.forEach.call(document.querySelectorAll('form.call'), function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var call = form.dataset.call;
      var error = form.elements.namedItem('error');
      var input;
      try {
        input = JSON.parse(form.elements.namedItem('json').value);
      } catch (problem) {
        error.value = 'Not JSON: ' + problem.message;
        return;
      }
      if (!input || typeof input !== 'object' || Array.isArray(input)) {
        error.value = 'Expected a JSON object';
        return;
      }
      error.value = '';
      var args = argumentsOf[call](input);
      row('call', 'rudderanalytics', call + '(' + args.map(json).join(', ') + ')');
      sdk[call].apply(sdk, args);
    });
  });

  var trackJson = document.getElementById('track-json');
  Array.prototype.forEach.call(document.querySelectorAll('[data-preset]'), function (button) {
    button.addEventListener('click', function () {
      trackJson.value = JSON.stringify(TRACK_PRESETS[button.dataset.preset], null, 2);
    });
  });

  document.getElementById('clear').addEventListener('click', function () {
    log.textContent = '';
  });

  Array.prototype.forEach.call(document.querySelectorAll('#modes a'), function (link) {
    var current = link.dataset.library
      ? libraryMode === link.dataset.library
      : String(prefixProperties) === link.dataset.prefix;
    if (current) link.setAttribute('aria-current', 'true');
    // Keep the other setting when switching one.
    var next = new URLSearchParams(window.location.search);
    if (link.dataset.library) next.set('library', link.dataset.library);
    else next.set('prefixProperties', link.dataset.prefix);
    link.href = '?' + next.toString();
  });
})();
