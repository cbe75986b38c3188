// ok: pipeline_defined
// a door's states, with the javascript-state-machine library: no Step Functions
import StateMachine from 'javascript-state-machine';

const door = new StateMachine({ init: 'closed', transitions: [{ name: 'open', from: 'closed', to: 'open' }] });
