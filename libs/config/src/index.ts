export { adapters, loadSettings, SETTING_NAMES, SettingsError, type Settings } from './settings';
