#include "gateway/synth/names.h"

#include <array>

namespace raccordo::synth::data {

namespace {

using namespace std::string_view_literals;

constexpr int kOld = kBornBefore1960;
constexpr int kMid = kBorn1960To1989;
constexpr int kYoung = kBornFrom1990;
constexpr int kAll = kAnyGeneration;

constexpr std::array kItalianFamilyNames = {
    "Rossi"sv,      "Russo"sv,      "Ferrari"sv,    "Esposito"sv,   "Bianchi"sv,    "Romano"sv,
    "Colombo"sv,    "Ricci"sv,      "Marino"sv,     "Greco"sv,      "Bruno"sv,      "Gallo"sv,
    "Conti"sv,      "De Luca"sv,    "Mancini"sv,    "Costa"sv,      "Giordano"sv,   "Rizzo"sv,
    "Lombardi"sv,   "Moretti"sv,    "Barbieri"sv,   "Fontana"sv,    "Santoro"sv,    "Mariani"sv,
    "Rinaldi"sv,    "Caruso"sv,     "Ferrara"sv,    "Galli"sv,      "Martini"sv,    "Leone"sv,
    "Longo"sv,      "Gentile"sv,    "Martinelli"sv, "Vitale"sv,     "Lombardo"sv,   "Serra"sv,
    "Coppola"sv,    "De Santis"sv,  "D'Angelo"sv,   "Marchetti"sv,  "Parisi"sv,     "Villa"sv,
    "Conte"sv,      "Ferraro"sv,    "Fabbri"sv,     "Marini"sv,     "Grasso"sv,     "Messina"sv,
    "Sala"sv,       "De Angelis"sv, "Gatti"sv,      "Pellegrini"sv, "Palumbo"sv,    "Sanna"sv,
    "Farina"sv,     "Monti"sv,      "Cattaneo"sv,   "Morelli"sv,    "Amato"sv,      "Silvestri"sv,
    "Testa"sv,      "Grassi"sv,     "Carbone"sv,    "Barone"sv,     "Caputo"sv,     "Guerra"sv,
    "Palmieri"sv,   "Bernardi"sv,   "Fiore"sv,      "De Rosa"sv,    "Bellini"sv,    "Riva"sv,
    "Donati"sv,     "Piras"sv,      "Sartori"sv,    "Negri"sv,      "Brambilla"sv,  "Fumagalli"sv,
    "Crippa"sv,     "Cantù"sv,      "Dell'Acqua"sv, "Lo Russo"sv,   "La Rosa"sv,    "Di Stefano"sv,
    "Del Vecchio"sv, "Mantegazza"sv, "Pirovano"sv,  "D'Amico"sv,    "Sorrentino"sv, "Ruggiero"sv,
};

constexpr std::array kItalianMaleNames = {
    GivenName{"Giuseppe", kOld | kMid},   GivenName{"Giovanni", kOld | kMid},
    GivenName{"Antonio", kAll},           GivenName{"Mario", kOld | kMid},
    GivenName{"Luigi", kOld | kMid},      GivenName{"Francesco", kAll},
    GivenName{"Angelo", kOld | kMid},     GivenName{"Vincenzo", kOld | kMid},
    GivenName{"Pietro", kOld | kYoung},   GivenName{"Salvatore", kOld | kMid},
    GivenName{"Carlo", kOld | kMid},      GivenName{"Franco", kOld},
    GivenName{"Domenico", kOld},          GivenName{"Bruno", kOld},
    GivenName{"Paolo", kOld | kMid},      GivenName{"Michele", kAll},
    GivenName{"Giorgio", kOld | kMid},    GivenName{"Aldo", kOld},
    GivenName{"Sergio", kOld | kMid},     GivenName{"Luciano", kOld},
    GivenName{"Ernesto", kOld},           GivenName{"Ugo", kOld},
    GivenName{"Renato", kOld},            GivenName{"Gino", kOld},
    GivenName{"Umberto", kOld},           GivenName{"Gennaro", kOld},
    GivenName{"Ambrogio", kOld},          GivenName{"Pierluigi", kOld | kMid},
    GivenName{"Roberto", kMid},           GivenName{"Alberto", kMid},
    GivenName{"Marco", kMid},             GivenName{"Andrea", kMid | kYoung},
    GivenName{"Stefano", kMid},           GivenName{"Luca", kMid | kYoung},
    GivenName{"Massimo", kMid},           GivenName{"Alessandro", kMid | kYoung},
    GivenName{"Davide", kMid | kYoung},   GivenName{"Fabio", kMid},
    GivenName{"Claudio", kMid},           GivenName{"Maurizio", kMid},
    GivenName{"Gianluca", kMid},          GivenName{"Gian Marco", kMid},
    GivenName{"Daniele", kMid | kYoung},  GivenName{"Emanuele", kMid | kYoung},
    GivenName{"Raffaele", kOld | kMid},   GivenName{"Cristian", kMid | kYoung},
    GivenName{"Matteo", kMid | kYoung},   GivenName{"Lorenzo", kYoung},
    GivenName{"Simone", kMid | kYoung},   GivenName{"Federico", kMid | kYoung},
    GivenName{"Riccardo", kYoung},        GivenName{"Gabriele", kYoung},
    GivenName{"Tommaso", kYoung},         GivenName{"Leonardo", kYoung},
    GivenName{"Edoardo", kYoung},         GivenName{"Niccolò", kYoung},
    GivenName{"Nicolò", kYoung},          GivenName{"Filippo", kYoung},
    GivenName{"Giacomo", kYoung},         GivenName{"Mattia", kYoung},
    GivenName{"Samuele", kYoung},         GivenName{"Diego", kYoung},
    GivenName{"Elia", kYoung},            GivenName{"Noè", kYoung},
};

constexpr std::array kItalianFemaleNames = {
    GivenName{"Maria", kAll},             GivenName{"Anna", kAll},
    GivenName{"Giuseppina", kOld},        GivenName{"Rosa", kOld},
    GivenName{"Angela", kOld | kMid},     GivenName{"Giovanna", kOld | kMid},
    GivenName{"Teresa", kOld},            GivenName{"Lucia", kOld | kMid},
    GivenName{"Carmela", kOld},           GivenName{"Caterina", kOld | kYoung},
    GivenName{"Antonietta", kOld},        GivenName{"Carla", kOld},
    GivenName{"Rita", kOld},              GivenName{"Luisa", kOld},
    GivenName{"Franca", kOld},            GivenName{"Giuliana", kOld},
    GivenName{"Bruna", kOld},             GivenName{"Gabriella", kOld | kMid},
    GivenName{"Concetta", kOld},          GivenName{"Assunta", kOld},
    GivenName{"Immacolata", kOld},        GivenName{"Wilma", kOld},
    GivenName{"Ambrogina", kOld},         GivenName{"Maria Grazia", kOld | kMid},
    GivenName{"Anna Maria", kOld | kMid}, GivenName{"Maria Luisa", kOld},
    GivenName{"Elena", kAll},             GivenName{"Paola", kMid},
    GivenName{"Laura", kMid},             GivenName{"Patrizia", kMid},
    GivenName{"Daniela", kMid},           GivenName{"Simona", kMid},
    GivenName{"Barbara", kMid},           GivenName{"Monica", kMid},
    GivenName{"Cristina", kMid},          GivenName{"Roberta", kMid},
    GivenName{"Silvia", kMid},            GivenName{"Elisabetta", kMid},
    GivenName{"Manuela", kMid},           GivenName{"Raffaella", kMid},
    GivenName{"Nicoletta", kMid},         GivenName{"Federica", kMid | kYoung},
    GivenName{"Chiara", kMid | kYoung},   GivenName{"Valentina", kMid | kYoung},
    GivenName{"Alessandra", kMid},        GivenName{"Sara", kMid | kYoung},
    GivenName{"Francesca", kMid | kYoung}, GivenName{"Giulia", kYoung},
    GivenName{"Martina", kYoung},         GivenName{"Sofia", kYoung},
    GivenName{"Aurora", kYoung},          GivenName{"Alice", kYoung},
    GivenName{"Ginevra", kYoung},         GivenName{"Emma", kYoung},
    GivenName{"Giorgia", kYoung},         GivenName{"Beatrice", kYoung},
    GivenName{"Greta", kYoung},           GivenName{"Noemi", kYoung},
    GivenName{"Lucrezia", kYoung},        GivenName{"Ludovica", kYoung},
    GivenName{"Matilde", kYoung},         GivenName{"Viola", kYoung},
    GivenName{"Bianca", kYoung},          GivenName{"Arianna", kYoung},
    GivenName{"Irene", kMid | kYoung},    GivenName{"Zoe", kYoung},
};

constexpr std::array kRomanianFamily = {"Popescu"sv, "Ionescu"sv, "Popa"sv, "Stan"sv,
                                        "Dumitru"sv, "Constantin"sv, "Munteanu"sv, "Ștefănescu"sv};
constexpr std::array kRomanianMale = {"Andrei"sv, "Ion"sv, "Mihai"sv, "Gheorghe"sv,
                                      "Florin"sv, "Alexandru"sv, "Ștefan"sv};
constexpr std::array kRomanianFemale = {"Elena"sv, "Maria"sv, "Ioana"sv, "Andreea"sv,
                                        "Mihaela"sv, "Gabriela"sv, "Georgeta"sv};

constexpr std::array kMoroccanFamily = {"El Amrani"sv, "Benali"sv, "Bennani"sv,
                                        "El Idrissi"sv, "Alaoui"sv, "Tazi"sv, "Ouahbi"sv};
constexpr std::array kMoroccanMale = {"Mohamed"sv, "Youssef"sv, "Hamza"sv, "Rachid"sv,
                                      "Said"sv, "Karim"sv, "Abdellah"sv};
constexpr std::array kMoroccanFemale = {"Fatima"sv, "Khadija"sv, "Amina"sv, "Salma"sv,
                                        "Nadia"sv, "Houda"sv, "Zineb"sv};

constexpr std::array kAlbanianFamily = {"Hoxha"sv, "Shehu"sv, "Kola"sv, "Leka"sv,
                                        "Gjoka"sv, "Dervishi"sv, "Çela"sv};
constexpr std::array kAlbanianMale = {"Arben"sv, "Ermal"sv, "Gentian"sv, "Besnik"sv,
                                      "Altin"sv, "Ilir"sv};
constexpr std::array kAlbanianFemale = {"Elira"sv, "Anila"sv, "Klodiana"sv, "Blerina"sv,
                                        "Ardita"sv, "Mirela"sv};

constexpr std::array kPeruvianFamily = {"Quispe"sv, "Flores"sv, "Mamani"sv, "Huamán"sv,
                                        "Rojas"sv, "Gutiérrez"sv, "Vargas"sv, "Chávez"sv};
constexpr std::array kPeruvianMale = {"José"sv, "Luis"sv, "Carlos"sv, "Jorge"sv,
                                      "Juan Carlos"sv, "Víctor"sv};
constexpr std::array kPeruvianFemale = {"Rosa"sv, "María"sv, "Carmen"sv, "Ana"sv,
                                        "Gladys"sv, "Milagros"sv};

constexpr std::array kFilipinoFamily = {"Santos"sv, "Reyes"sv, "Cruz"sv, "Bautista"sv,
                                        "Dela Cruz"sv, "Garcia"sv, "Mendoza"sv, "Villanueva"sv};
constexpr std::array kFilipinoMale = {"Jose"sv, "Mark Anthony"sv, "John Paul"sv, "Rodel"sv,
                                      "Jun"sv, "Ramon"sv};
constexpr std::array kFilipinoFemale = {"Maricel"sv, "Jennifer"sv, "Rowena"sv, "Marites"sv,
                                        "Liza"sv, "Mary Grace"sv};

constexpr std::array kChineseFamily = {"Hu"sv, "Zhou"sv, "Chen"sv, "Wang"sv,
                                       "Lin"sv, "Zhang"sv, "Liu"sv, "Xu"sv};
constexpr std::array kChineseMale = {"Wei"sv, "Jian"sv, "Hao"sv, "Ming"sv, "Jun"sv, "Yong"sv};
constexpr std::array kChineseFemale = {"Xiaoli"sv, "Mei"sv, "Ying"sv, "Li"sv, "Fang"sv, "Yan"sv};

constexpr std::array kEgyptianFamily = {"Hassan"sv, "Ibrahim"sv, "Abdelrahman"sv,
                                        "Mostafa"sv, "Saleh"sv, "El Sayed"sv};
constexpr std::array kEgyptianMale = {"Ahmed"sv, "Mahmoud"sv, "Mohamed"sv, "Omar"sv,
                                      "Mostafa"sv, "Tarek"sv};
constexpr std::array kEgyptianFemale = {"Mona"sv, "Heba"sv, "Nour"sv, "Yasmin"sv,
                                        "Dina"sv, "Aya"sv};

constexpr std::array kUkrainianFamily = {"Kovalenko"sv, "Shevchenko"sv, "Bondarenko"sv,
                                         "Tkachenko"sv, "Melnyk"sv, "Boyko"sv};
constexpr std::array kUkrainianMale = {"Oleksandr"sv, "Andriy"sv, "Serhiy"sv, "Mykola"sv,
                                       "Volodymyr"sv};
constexpr std::array kUkrainianFemale = {"Olena"sv, "Nataliya"sv, "Oksana"sv, "Iryna"sv,
                                         "Svitlana"sv, "Halyna"sv};

const std::array kNationalities = {
    Nationality{"ROU", {"Z129", "Romania"}, kRomanianFamily, kRomanianMale, kRomanianFemale, 20},
    Nationality{"MAR", {"Z330", "Marocco"}, kMoroccanFamily, kMoroccanMale, kMoroccanFemale, 14},
    Nationality{"ALB", {"Z100", "Albania"}, kAlbanianFamily, kAlbanianMale, kAlbanianFemale, 10},
    Nationality{"PER", {"Z611", "Perù"}, kPeruvianFamily, kPeruvianMale, kPeruvianFemale, 13},
    Nationality{"PHL", {"Z216", "Filippine"}, kFilipinoFamily, kFilipinoMale, kFilipinoFemale, 15},
    Nationality{"CHN", {"Z210", "Cina"}, kChineseFamily, kChineseMale, kChineseFemale, 11},
    Nationality{"EGY", {"Z336", "Egitto"}, kEgyptianFamily, kEgyptianMale, kEgyptianFemale, 12},
    Nationality{"UKR", {"Z138", "Ucraina"}, kUkrainianFamily, kUkrainianMale, kUkrainianFemale, 8},
};

constexpr std::array kLombardPlaces = {
    Place{"F704", "Monza"},           Place{"A794", "Bergamo"},
    Place{"B157", "Brescia"},         Place{"C933", "Como"},
    Place{"L682", "Varese"},          Place{"G388", "Pavia"},
    Place{"D150", "Cremona"},         Place{"I690", "Sesto San Giovanni"},
    Place{"C707", "Cinisello Balsamo"}, Place{"H264", "Rho"},
    Place{"E514", "Legnano"},
};

constexpr std::array kOtherItalianPlaces = {
    Place{"H501", "Roma"},    Place{"F839", "Napoli"}, Place{"G273", "Palermo"},
    Place{"A662", "Bari"},    Place{"L219", "Torino"},
};

// Real street names of Milan with a plausible CAP and municipio; house
// numbers are drawn at random, so the addresses themselves are invented.
constexpr std::array kMilanStreets = {
    Street{"Corso di Porta Romana", "20122", 1}, Street{"Via Torino", "20123", 1},
    Street{"Corso Garibaldi", "20121", 1},       Street{"Via Santa Sofia", "20122", 1},
    Street{"Via Padova", "20127", 2},            Street{"Viale Monza", "20127", 2},
    Street{"Via Palmanova", "20132", 2},         Street{"Via Adriano", "20128", 2},
    Street{"Via Cavezzali", "20127", 2},         Street{"Corso Buenos Aires", "20124", 3},
    Street{"Via Pacini", "20131", 3},            Street{"Viale Argonne", "20133", 3},
    Street{"Via Porpora", "20131", 3},           Street{"Via Ampère", "20131", 3},
    Street{"Corso Lodi", "20135", 4},            Street{"Viale Corsica", "20137", 4},
    Street{"Via Mecenate", "20138", 4},          Street{"Via dei Cinquecento", "20139", 4},
    Street{"Via Ravenna", "20139", 4},           Street{"Via Ripamonti", "20141", 5},
    Street{"Via dei Missaglia", "20142", 5},     Street{"Via Gratosoglio", "20142", 5},
    Street{"Viale Tibaldi", "20136", 5},         Street{"Via Lorenteggio", "20146", 6},
    Street{"Via Giambellino", "20147", 6},       Street{"Viale Famagosta", "20142", 6},
    Street{"Via Inganni", "20147", 6},           Street{"Via Segneri", "20146", 6},
    Street{"Via Forze Armate", "20152", 7},      Street{"Via Harar", "20153", 7},
    Street{"Piazzale Siena", "20146", 7},        Street{"Via Novara", "20153", 7},
    Street{"Via Gallarate", "20151", 8},         Street{"Viale Certosa", "20155", 8},
    Street{"Via Mambretti", "20157", 8},         Street{"Via Aldini", "20157", 8},
    Street{"Via Quarenghi", "20151", 8},         Street{"Viale Fulvio Testi", "20126", 9},
    Street{"Via Ornato", "20162", 9},            Street{"Via Val di Ledro", "20162", 9},
    Street{"Via Imbonati", "20159", 9},          Street{"Via Jenner", "20159", 9},
    Street{"Via Cherasco", "20162", 9},
};

constexpr std::array kProviders = {
    Provider{"COOP-101", "Cooperativa Sociale Il Melograno"},
    Provider{"COOP-102", "Cooperativa Sociale La Ringhiera Onlus"},
    Provider{"COOP-103", "Cooperativa Sociale Filo d'Arianna"},
    Provider{"COOP-104", "Cooperativa Sociale Il Girasole"},
    Provider{"COOP-105", "Cooperativa Sociale Spazio Comune"},
    Provider{"COOP-106", "Cooperativa Sociale Naviglio Solidale"},
    Provider{"COOP-107", "Cooperativa Sociale La Bussola"},
    Provider{"COOP-108", "Consorzio Cooperative Assistenza Milano"},
    Provider{"COOP-109", "Cooperativa Sociale Casa dei Tigli"},
    Provider{"COOP-110", "Cooperativa Sociale Pane e Rose"},
    Provider{"COOP-111", "Cooperativa Sociale Il Ponte Lombardo"},
    Provider{"COOP-112", "Cooperativa Sociale Quartieri Aperti"},
    Provider{"COOP-113", "Cooperativa Sociale L'Aquilone"},
    Provider{"COOP-114", "Cooperativa Sociale Mani Amiche"},
    Provider{"COOP-115", "Fondazione Servizi alla Persona Ambrosiana"},
};

constexpr std::array kElderlyGoals = {
    "Mantenere la persona al proprio domicilio in sicurezza"sv,
    "Supportare il caregiver familiare nella cura quotidiana"sv,
    "Garantire l'igiene personale e la cura della casa"sv,
    "Prevenire l'isolamento sociale"sv,
    "Monitorare l'assunzione regolare della terapia"sv,
    "Assicurare un'alimentazione adeguata"sv,
};
constexpr std::array kDisabilityGoals = {
    "Sviluppare le autonomie personali e sociali"sv,
    "Sperimentare la vita autonoma in gruppo appartamento"sv,
    "Mantenere le abilità acquisite nel centro diurno"sv,
    "Sostenere la famiglia nel progetto di vita"sv,
    "Favorire l'inclusione lavorativa"sv,
};
constexpr std::array kMinorsGoals = {
    "Sostenere la genitorialità"sv,
    "Garantire la frequenza scolastica regolare"sv,
    "Favorire la socializzazione con i pari"sv,
    "Ridurre il disagio economico del nucleo"sv,
};
constexpr std::array kHardshipGoals = {
    "Raggiungere l'autonomia economica"sv,
    "Trovare una soluzione abitativa stabile"sv,
    "Accompagnare la ricerca attiva di lavoro"sv,
    "Regolarizzare la posizione debitoria sull'affitto"sv,
};
constexpr std::array kMentalHealthGoals = {
    "Consolidare l'adesione al percorso di cura con il CPS"sv,
    "Favorire l'inserimento in attività occupazionali"sv,
    "Ridurre l'isolamento e sostenere la rete sociale"sv,
};

constexpr std::array kElderlyNotes = {
    "Segnalazione del medico di medicina generale dopo dimissione ospedaliera."sv,
    "Vive solo al terzo piano senza ascensore; figli residenti fuori regione."sv,
    "Richiesta di assistenza domiciliare presentata dalla figlia."sv,
    "Caregiver convivente affaticato; valutare ricovero di sollievo."sv,
};
constexpr std::array kDisabilityNotes = {
    "Frequenta il CDD dal lunedì al venerdì; trasporto a carico del Comune."sv,
    "Genitori anziani: avviato percorso Dopo di noi."sv,
    "In attesa di rivalutazione dell'invalidità civile."sv,
};
constexpr std::array kMinorsNotes = {
    "Segnalazione della scuola per assenze ripetute."sv,
    "Nucleo monogenitoriale con difficoltà economiche."sv,
    "Decreto del Tribunale per i Minorenni: affido al servizio sociale."sv,
    "Intervento educativo domiciliare concordato con la famiglia."sv,
};
constexpr std::array kHardshipNotes = {
    "Perdita del lavoro nel corso dell'anno; morosità incolpevole sull'affitto."sv,
    "Sfratto esecutivo in corso; richiesta alloggio SAP presentata."sv,
    "Accesso tramite sportello di segretariato sociale."sv,
};
constexpr std::array kMentalHealthNotes = {
    "In carico al CPS di zona; progetto condiviso con lo psichiatra referente."sv,
    "Sostegno educativo per la gestione della quotidianità."sv,
};

// Milan's hospital trusts. Municipi masks follow the ASST catchment areas.
constexpr std::array kFacilities = {
    Facility{"ASST_FBF_SACCO", "Ospedale Luigi Sacco", (1 << 1) | (1 << 3) | (1 << 4) | (1 << 8)},
    Facility{"ASST_FBF_SACCO", "Ospedale Fatebenefratelli", (1 << 1) | (1 << 3) | (1 << 4) | (1 << 8)},
    Facility{"ASST_GOM_NIGUARDA", "Ospedale Niguarda Ca' Granda", (1 << 2) | (1 << 9)},
    Facility{"ASST_SSPC", "Ospedale San Paolo", (1 << 5) | (1 << 6)},
    Facility{"ASST_SSPC", "Ospedale San Carlo Borromeo", (1 << 6) | (1 << 7)},
    Facility{"ASST_PINI_CTO", "Istituto Ortopedico Gaetano Pini", 0},
    Facility{"IRCCS_POLICLINICO", "Policlinico di Milano Ospedale Maggiore", 0},
};

constexpr std::array kWards = {
    Ward{"MED", "Medicina Generale", 0, 30, 35},
    Ward{"GER", "Geriatria", 0, 0, 25},
    Ward{"CHI", "Chirurgia Generale", 10, 25, 10},
    Ward{"ORT", "Ortopedia e Traumatologia", 15, 20, 15},
    Ward{"CAR", "Cardiologia", 0, 10, 10},
    Ward{"PNE", "Pneumologia", 0, 10, 5},
    Ward{"PSI", "Psichiatria (SPDC)", 0, 5, 0},
    Ward{"PED", "Pediatria", 75, 0, 0},
};

constexpr std::array kMetabolic = {
    LabAnalyte{"2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 0, 70, 99, 55, 260},
    LabAnalyte{"2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 2, 50, 120, 40, 320},
    LabAnalyte{"2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 0, 135, 145, 126, 152},
    LabAnalyte{"2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 1, 35, 51, 29, 60},
    LabAnalyte{"3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma", "mg/dL", 0, 7, 20, 4, 60},
};
constexpr std::array kBloodCount = {
    LabAnalyte{"718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 1, 120, 160, 85, 182},
    LabAnalyte{"6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 1, 40, 100, 21, 175},
    LabAnalyte{"777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", 0, 150, 400, 85, 580},
    LabAnalyte{"4544-3", "Hematocrit [Volume Fraction] of Blood by Automated count", "%", 1, 360, 460, 270, 530},
};
constexpr std::array kLipids = {
    LabAnalyte{"2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 0, kNoLimit, 200, 120, 310},
    LabAnalyte{"2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", "mg/dL", 0, 40, kNoLimit, 25, 95},
    LabAnalyte{"18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay", "mg/dL", 0,
               kNoLimit, 130, 55, 225},
    LabAnalyte{"2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "mg/dL", 0, kNoLimit, 150, 45, 420},
};
constexpr std::array kLiver = {
    LabAnalyte{"1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 0, 7,
               40, 5, 180},
    LabAnalyte{"1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 0, 8,
               40, 6, 160},
    LabAnalyte{"1975-2", "Bilirubin.total [Mass/volume] in Serum or Plasma", "mg/dL", 1, 3, 12, 2, 38},
    LabAnalyte{"1751-7", "Albumin [Mass/volume] in Serum or Plasma", "g/dL", 1, 35, 50, 24, 54},
};
constexpr std::array kLabPanels = {
    LabPanel{"51990-0", "Basic metabolic panel - Blood", kMetabolic},
    LabPanel{"58410-2", "CBC panel - Blood by Automated count", kBloodCount},
    LabPanel{"57698-3", "Lipid panel with direct LDL - Serum or Plasma", kLipids},
    LabPanel{"24325-3", "Hepatic function 2000 panel - Serum or Plasma", kLiver},
};

// Codici struttura with the regional prefix 030: the leading zero must survive.
constexpr std::array kAdiProviders = {
    AdiProvider{"030415", "Cure a Casa Società Cooperativa Sociale", false},
    AdiProvider{"030422", "Fondazione Assistenza Domiciliare Città di Milano", true},
    AdiProvider{"030437", "Domus Salute S.r.l.", false},
    AdiProvider{"030451", "Cooperativa Sociale Il Sentiero della Cura", false},
    AdiProvider{"030468", "Assistenza Integrata Navigli S.c.s.", false},
    AdiProvider{"030479", "Hospice e Cure Palliative Ambrosiane Onlus", true},
};

}  // namespace

std::span<const std::string_view> italianFamilyNames() { return kItalianFamilyNames; }
std::span<const GivenName> italianMaleNames() { return kItalianMaleNames; }
std::span<const GivenName> italianFemaleNames() { return kItalianFemaleNames; }
std::span<const Nationality> nationalities() { return kNationalities; }
std::span<const Place> lombardPlaces() { return kLombardPlaces; }
std::span<const Place> otherItalianPlaces() { return kOtherItalianPlaces; }
std::span<const Street> milanStreets() { return kMilanStreets; }
std::span<const Provider> providers() { return kProviders; }

std::span<const std::string_view> planGoals(std::string_view area) {
  if (area == "elderly") return kElderlyGoals;
  if (area == "disability") return kDisabilityGoals;
  if (area == "minors_families") return kMinorsGoals;
  if (area == "adults_hardship") return kHardshipGoals;
  return kMentalHealthGoals;
}

std::span<const std::string_view> caseNotes(std::string_view area) {
  if (area == "elderly") return kElderlyNotes;
  if (area == "disability") return kDisabilityNotes;
  if (area == "minors_families") return kMinorsNotes;
  if (area == "adults_hardship") return kHardshipNotes;
  return kMentalHealthNotes;
}

std::span<const Facility> facilities() { return kFacilities; }
std::span<const Ward> wards() { return kWards; }
std::span<const LabPanel> labPanels() { return kLabPanels; }
std::span<const AdiProvider> adiProviders() { return kAdiProviders; }

}  // namespace raccordo::synth::data
