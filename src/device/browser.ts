// Entry of dist/Kissmetrics(.min).js: the script the RudderStack SDK loads from destSDKBaseURL.
import { register } from './kissmetrics';

register();
